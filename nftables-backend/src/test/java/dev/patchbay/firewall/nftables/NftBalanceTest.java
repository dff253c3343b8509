package dev.patchbay.firewall.nftables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Protocol;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A virtual service rendered for nftables: one rule per hook whatever the number of backends, a reject when none. */
class NftBalanceTest {
    static final RulesetOwner SVC = RulesetOwner.of("svc:web");

    static Ruleset service(Rule.Balance.Mode mode, String... backends) {
        List<Rule.Balance.Backend> bs = java.util.Arrays.stream(backends)
                .map(b -> new Rule.Balance.Backend(IpAddresses.parse("t", b), 8080)).toList();
        return Ruleset.of(SVC, new Rule.Balance(IpAddresses.parse("t", "10.89.0.100"), Protocol.TCP, 80, bs, mode, 0));
    }

    @Test
    void roundRobinIsOneMapElementPerBackend() {
        Ruleset rs = service(Rule.Balance.Mode.ROUND_ROBIN, "10.89.0.2", "10.89.0.3", "10.89.0.4");
        assertEquals("""
                insert rule inet patchbay nat-pre ip daddr 10.89.0.100 tcp dport 80 dnat ip to numgen inc mod 3 map @lb0-svc_cweb comment "svc:web"
                insert rule inet patchbay nat-out ip daddr 10.89.0.100 tcp dport 80 dnat ip to numgen inc mod 3 map @lb0-svc_cweb comment "svc:web"
                add rule inet patchbay nat-post ct original ip daddr 10.89.0.100 ct status dnat masquerade comment "svc:web"
                """, String.join("\n", NftRenderer.rules(rs)) + "\n");
        assertEquals(List.of("add map inet patchbay lb0-svc_cweb { typeof numgen inc mod 1 : ip daddr . tcp dport; }"), NftBalance.objects(rs));
        assertEquals(List.of("add element inet patchbay lb0-svc_cweb { 0 comment \"svc:web\" : 10.89.0.2 . 8080, 1 comment \"svc:web\" : 10.89.0.3 . 8080,"
                + " 2 comment \"svc:web\" : 10.89.0.4 . 8080 }"), NftRenderer.addElements(NftRenderer.elements(rs)));
    }

    /** One backend more is one element; one less in the middle, the last slot's backend moved into its slot: 2 deletions, 1 addition. */
    @Test
    void aBackendMoreOrLessIsAConstantNumberOfElements() {
        NftState s = new NftState();
        String[] hundred = java.util.stream.IntStream.range(2, 102).mapToObj(i -> "10.89." + (i / 200) + "." + (i % 200 + 2)).toArray(String[]::new);
        NftRenderer.elements(service(Rule.Balance.Mode.ROUND_ROBIN, hundred)).forEach(s::addElement);
        String[] less = java.util.Arrays.stream(hundred).filter(a -> !a.equals(hundred[40])).toArray(String[]::new);
        NftPlan rm = NftPlan.of(s, service(Rule.Balance.Mode.ROUND_ROBIN, less));
        assertEquals(List.of("40", "99"), rm.removed.stream().map(NftRenderer.Element::key).sorted().toList());
        assertEquals(List.of("40 " + hundred[99] + " . 8080"), rm.added.stream().map(e -> e.key() + " " + e.value()).toList());
        assertTrue(rm.mapDeletes.isEmpty(), "the map is kept");
        String[] more = java.util.Arrays.copyOf(hundred, 101);
        more[100] = "10.89.1.1";
        NftPlan add = NftPlan.of(s, service(Rule.Balance.Mode.ROUND_ROBIN, more));
        assertEquals(List.of(), add.removed);
        assertEquals(List.of("100 10.89.1.1 . 8080"), add.added.stream().map(e -> e.key() + " " + e.value()).toList());
        assertTrue(s.holds(service(Rule.Balance.Mode.ROUND_ROBIN, hundred)) == false, "no rules held yet");
    }

    @Test
    void randomAndIpv6() {
        Ruleset rs = Ruleset.of(SVC, new Rule.Balance(IpAddresses.parse("t", "fd00:89::64"), Protocol.UDP, 53,
                List.of(new Rule.Balance.Backend(IpAddresses.parse("t", "fd00:89::2"), 5353)), Rule.Balance.Mode.RANDOM, 0));
        assertEquals("insert rule inet patchbay nat-pre ip6 daddr fd00:89::64 udp dport 53 dnat ip6 to numgen random mod 1 map @lb0-svc_cweb comment \"svc:web\"",
                NftRenderer.rules(rs).get(0));
        assertEquals(List.of("add map inet patchbay lb0-svc_cweb { typeof numgen inc mod 1 : ip6 daddr . udp dport; }"), NftBalance.objects(rs));
    }

    @Test
    void noBackendIsARejectNotABlackHole() {
        assertEquals(List.of(
                "insert rule inet patchbay nat-pre ip daddr 10.89.0.100 tcp dport 80 reject with tcp reset comment \"svc:web\"",
                "insert rule inet patchbay nat-out ip daddr 10.89.0.100 tcp dport 80 reject with tcp reset comment \"svc:web\""),
                NftRenderer.rules(service(Rule.Balance.Mode.ROUND_ROBIN)));
    }

    /** A backend less replaces the service's three rules and deletes one element, in one script; the map keeps its handle. */
    @Test
    void aRehearsedSwapDeletesTheRulesByTheHandlesTheKernelGives() {
        NftRehearsal r = new NftRehearsal("");
        r.apply(Ruleset.of(RulesetOwner.of("net:web"), new Rule.Masquerade(IpPrefix.parse("10.89.0.0/24"), null),
                new Rule.BridgeForward(IfName.of("pb0"), List.of(IpPrefix.parse("10.89.0.0/24"))))); // handles 1-28
        r.apply(service(Rule.Balance.Mode.ROUND_ROBIN, "10.89.0.2", "10.89.0.3")); // map 29; rules 30, 31, 32
        String swap = r.apply(service(Rule.Balance.Mode.ROUND_ROBIN, "10.89.0.2")).get(0);
        assertTrue(swap.contains("delete rule inet patchbay nat-pre handle 30\ndelete rule inet patchbay nat-out handle 31\n"
                + "delete rule inet patchbay nat-post handle 32\ndelete element inet patchbay lb0-svc_cweb { 1 }\n"), swap);
        assertTrue(swap.contains("numgen inc mod 1 map @lb0-svc_cweb") && !swap.contains("add element"), swap);
        String rm = r.remove(RulesetOwner.of("svc:web")).get(0);
        assertTrue(rm.contains("delete rule inet patchbay nat-pre handle 33\n"), rm);
        assertTrue(rm.indexOf("delete element inet patchbay lb0-svc_cweb { 0 }") < rm.indexOf("delete map inet patchbay lb0-svc_cweb"), rm);
    }

    /**
     * Affinity: the client's remembered backend first, then the pick; the affinity chain remembers each new connection's
     * backend in the service's own dynamic map, made afresh by each apply and deleted with the service.
     */
    @Test
    void affinityIsADynamicMapLookedUpFirstAndFilledBeforeSourceNat() {
        Ruleset rs = Ruleset.of(SVC, new Rule.Balance(IpAddresses.parse("t", "10.89.0.100"), Protocol.TCP, 80,
                List.of(new Rule.Balance.Backend(IpAddresses.parse("t", "10.89.0.2"), 8080)), Rule.Balance.Mode.ROUND_ROBIN, 30));
        assertEquals(List.of("add map inet patchbay lb0-svc_cweb { typeof numgen inc mod 1 : ip daddr . tcp dport; }",
                "add chain inet patchbay affinity { type filter hook postrouting priority 99; policy accept; }",
                "add map inet patchbay aff0-svc_cweb { type ipv4_addr : ipv4_addr; flags dynamic,timeout; timeout 30s; }",
                "add map inet patchbay aff0p-svc_cweb { type ipv4_addr : inet_service; flags dynamic,timeout; timeout 30s; }"),
                NftBalance.objects(rs));
        List<String> rules = NftRenderer.rules(rs);
        // inserted at the chain's head in reverse, so that the chain holds the lookup first, then the pick
        assertEquals("insert rule inet patchbay nat-pre ip daddr 10.89.0.100 tcp dport 80 dnat ip to ip saddr map @aff0-svc_cweb : ip saddr map @aff0p-svc_cweb comment \"svc:web\"",
                rules.get(1));
        assertTrue(rules.get(0).contains("nat-pre ip daddr 10.89.0.100 tcp dport 80 dnat ip to numgen inc mod 1 map @lb0-svc_cweb"), rules.get(0));
        assertEquals("add rule inet patchbay affinity ct state new ct status dnat meta l4proto tcp ip daddr . th dport { 10.89.0.2 . 8080 }"
                + " update @aff0-svc_cweb { ip saddr : ip daddr } update @aff0p-svc_cweb { ip saddr : th dport } comment \"svc:web\"",
                rules.get(rules.size() - 1));
        assertTrue(NftBalance.ownedBy("aff0-svc_cweb", "svc:web") && !NftBalance.ownedBy("aff0-svc_cweb", "svc:we")
                && !NftBalance.ownedBy("aff0-svc_cweb-0", "svc:web") && NftBalance.ownedBy("aff12p-svc_cweb", "svc:web"));

        NftRehearsal r = new NftRehearsal("");
        String first = r.apply(rs).get(0);
        assertTrue(first.indexOf("add map inet patchbay aff0-svc_cweb") < first.indexOf("dnat ip to ip saddr map"), first);
        String again = r.apply(rs).get(0);
        assertTrue(again.contains("delete map inet patchbay aff0-svc_cweb\ndelete map inet patchbay aff0p-svc_cweb\n")
                && again.indexOf("delete map inet patchbay aff0p-svc_cweb") < again.indexOf("add map inet patchbay aff0-svc_cweb")
                && !again.contains("delete map inet patchbay lb0") && !again.contains("element"), "affinity afresh, backends kept: " + again);
        r.apply(Ruleset.of(RulesetOwner.of("net:web"), new Rule.Masquerade(IpPrefix.parse("10.89.0.0/24"), null)));
        String rm = r.remove(SVC).get(0);
        assertTrue(rm.contains("delete map inet patchbay aff0-svc_cweb") && !rm.contains("delete table"), rm);
    }

    /** A port forward to the VIP publishes the service: its host port balanced by rules of its own, no forward map element. */
    @Test
    void aPortForwardToTheVipIsBalancedItself() {
        Ruleset rs = Ruleset.of(SVC, service(Rule.Balance.Mode.ROUND_ROBIN, "10.89.0.2").rules().get(0),
                new Rule.PortForward(dev.patchbay.core.model.PortMapping.parse("8000:80/tcp"), IpAddresses.parse("t", "10.89.0.100")));
        assertEquals(List.of("lb0-svc_cweb"), NftRenderer.elements(rs).stream().map(NftRenderer.Element::map).toList(), "no forward map element");
        List<String> rules = NftRenderer.rules(rs);
        assertTrue(rules.contains("add rule inet patchbay nat-pre meta nfproto ipv4 fib daddr type local tcp dport 8000 dnat ip to numgen inc mod 1"
                + " map @lb0-svc_cweb comment \"svc:web\""), String.join("\n", rules));
        assertEquals(5, rules.size(), String.join("\n", rules));
    }

    /**
     * A match of one address (the VIP, a host address it is published on) goes before the jump to the published ports'
     * maps, so a container's port published on every address at the same port does not take it; any local address after.
     */
    @Test
    void oneAddressWinsOverAContainersPortOnEveryAddress() {
        Ruleset rs = Ruleset.of(SVC, service(Rule.Balance.Mode.ROUND_ROBIN, "10.89.0.2").rules().get(0),
                new Rule.PortForward(dev.patchbay.core.model.PortMapping.parse("192.0.2.1:8080:80/tcp"), IpAddresses.parse("t", "10.89.0.100")),
                new Rule.PortForward(dev.patchbay.core.model.PortMapping.parse("8000:80/tcp"), IpAddresses.parse("t", "10.89.0.100")));
        List<String> pre = NftRenderer.rules(rs).stream().filter(r -> r.contains(" nat-pre ")).toList();
        assertEquals(List.of("add rule inet patchbay nat-pre meta nfproto ipv4 fib daddr type local tcp dport 8000",
                "insert rule inet patchbay nat-pre ip daddr 192.0.2.1 tcp dport 8080",
                "insert rule inet patchbay nat-pre ip daddr 10.89.0.100 tcp dport 80"),
                pre.stream().map(r -> r.substring(0, r.indexOf(" dnat"))).toList(), String.join("\n", pre));
        NftRehearsal r = new NftRehearsal("");
        r.apply(rs);
        assertTrue(r.apply(service(Rule.Balance.Mode.ROUND_ROBIN, "10.89.0.3")).get(0).contains("delete rule inet patchbay nat-pre handle"),
                "the inserted rules are known by their handles, to be replaced");
    }
}
