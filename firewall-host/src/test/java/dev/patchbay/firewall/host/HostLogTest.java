package dev.patchbay.firewall.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.PortMapping;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The firewall log of one host and its port index: two views of one file stand for two processes. */
class HostLogTest {
    @TempDir
    Path state;

    HostLog view() {
        return new HostLog(state, "1:2").refresh("netns \"h\"");
    }

    static Ruleset publish(String owner, String mapping) {
        return new Ruleset(RulesetOwner.of(owner), List.of(new Rule.PortForward(PortMapping.parse(mapping),
                IpAddresses.parse("ip", "10.9.0.2"))));
    }

    @Test
    void theBackendOwnersAndPortIndexFollowWhatAnotherViewWrote() {
        HostLog a = view();
        a.backend("nftables");
        a.put(publish("att:n/c1", "8080-8081:80-81"));
        HostLog b = view();
        assertEquals("nftables", b.backend());
        assertEquals("att:n/c1", b.portHolder("tcp * 8081"));
        b.put(publish("att:n/c2", "9090:80"));
        b.remove("att:n/c1");
        a.refresh("h");
        assertEquals(Set.of("att:n/c2"), a.owners().keySet());
        assertNull(a.portHolder("tcp * 8080"), "the claims went with their owner");
        assertEquals("att:n/c2", a.portHolder("tcp * 9090"));
    }

    @Test
    void replacingAnOwnersRulesMovesItsClaims() {
        HostLog a = view();
        a.put(publish("att:n/c1", "8080:80"));
        a.put(publish("att:n/c1", "8090:80"));
        HostLog b = view();
        assertNull(b.portHolder("tcp * 8080"));
        assertEquals("att:n/c1", b.portHolder("tcp * 8090"));
        assertEquals(publish("att:n/c1", "8090:80"), b.owner("att:n/c1"));
    }

    static Ruleset service(String owner, int backends, int port) {
        List<Rule.Balance.Backend> bs = new java.util.ArrayList<>();
        for (int i = 0; i < backends; i++) {
            bs.add(new Rule.Balance.Backend(IpAddresses.parse("ip", "10.9." + (i / 250) + "." + (i % 250 + 2)), port));
        }
        return new Ruleset(RulesetOwner.of(owner), List.of(new Rule.Balance(IpAddresses.parse("vip", "10.9.9.9"),
                dev.patchbay.core.model.Protocol.TCP, 80, bs, Rule.Balance.Mode.ROUND_ROBIN, 0),
                new Rule.PortForward(PortMapping.parse("8" + port + ":80/tcp"), IpAddresses.parse("vip", "10.9.9.9"))));
    }

    static Ruleset plus(Ruleset rs, int index, Rule.Balance.Backend extra) {
        Rule.Balance b = rs.rulesOf(Rule.Balance.class).get(0);
        List<Rule.Balance.Backend> bs = new java.util.ArrayList<>(b.backends());
        if (extra == null) {
            bs.remove(index);
        } else {
            bs.add(index, extra);
        }
        List<Rule> rules = new java.util.ArrayList<>(rs.rules());
        rules.set(0, new Rule.Balance(b.vip(), b.protocol(), b.port(), bs, b.mode(), b.affinitySeconds()));
        return new Ruleset(rs.owner(), rules);
    }

    /** Lines and bytes {@code change} appended to {@code log} (it was appended to, not rewritten). */
    static long[] appended(Path log, Runnable change) throws java.io.IOException {
        byte[] before = java.nio.file.Files.readAllBytes(log);
        change.run();
        byte[] after = java.nio.file.Files.readAllBytes(log);
        org.junit.jupiter.api.Assertions.assertArrayEquals(before, java.util.Arrays.copyOf(after, before.length), "appended to, not rewritten");
        return new long[] {new String(after, before.length, after.length - before.length, java.nio.charset.StandardCharsets.UTF_8)
                .chars().filter(c -> c == '\n').count(), after.length - before.length};
    }

    @Test
    void aBackendMoreOrLessIsOneShortLineWithAHundredOthersAsWithOne() throws java.io.IOException {
        HostLog a = view();
        Ruleset one = service("svc:a", 1, 81);
        Ruleset many = service("svc:b", 100, 82);
        a.put(one);
        a.put(many);
        Rule.Balance.Backend extra = new Rule.Balance.Backend(IpAddresses.parse("ip", "10.9.3.3"), 81);
        long[][] sizes = new long[4][];
        int i = 0;
        for (Ruleset rs : List.of(one, many)) {
            Ruleset more = plus(rs, rs.rulesOf(Rule.Balance.class).get(0).backends().size(), extra);
            sizes[i++] = appended(a.file(), () -> a.put(more));
            assertEquals(more, a.owner(rs.owner().id()));
            assertEquals(more, view().owner(rs.owner().id()), "another view reads it in order, the new one last");
            sizes[i++] = appended(a.file(), () -> a.put(rs));
            assertEquals(rs, view().owner(rs.owner().id()));
        }
        for (int k = 0; k < 2; k++) {
            assertEquals(1, sizes[k][0], "one line with 1 backend");
            assertEquals(1, sizes[k + 2][0], "one line with 100 backends");
            org.junit.jupiter.api.Assertions.assertTrue(Math.abs(sizes[k][1] - sizes[k + 2][1]) <= 4,
                    "the same bytes but its place's digits: " + sizes[k + 2][1] + " against " + sizes[k][1]);
        }
        assertEquals("svc:b", view().portHolder("tcp * 882"));
        Ruleset first = plus(many, 0, null);
        a.put(first);
        assertEquals(first, view().owner("svc:b"), "the first one gone, the others in their order");
    }

    @Test
    void aBalanceOfBeforeWithItsBackendsInItsOwnersLineIsReadThenSplitAtItsNextApply() {
        Ruleset old = service("svc:a", 3, 81);
        dev.patchbay.state.StateLog raw = new dev.patchbay.state.StateLog(HostLog.file(state, "1:2"), java.util.Map.of(), null);
        List<RuleJson> rules = old.rules().stream().map(RuleJson::of).toList();
        raw.refresh().put("owner:svc:a", dev.patchbay.state.Json.compact().toJson(rules));
        HostLog a = view();
        assertEquals(old, a.owner("svc:a"));
        Ruleset more = plus(old, 3, new Rule.Balance.Backend(IpAddresses.parse("ip", "10.9.3.3"), 81));
        a.put(more);
        assertEquals(more, view().owner("svc:a"));
        assertEquals(5, raw.refresh().all().size(), "its line and its 4 backends apart");
        org.junit.jupiter.api.Assertions.assertTrue(raw.get("owner:svc:a").contains("\"backends\":[]"), raw.get("owner:svc:a"));
        a.remove("svc:a");
        assertEquals(java.util.Map.of(), raw.refresh().all());
        assertNull(view().owner("svc:a"));
    }
}
