package dev.patchbay.firewall.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.firewall.Firewall;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.PortMapping;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manager's selection, recording, swap and repair logic, over in-memory backends. */
class FirewallServiceTest {

    /** A backend that keeps what it was given in a map, and can be told to fail. */
    static final class FakeFirewall implements Firewall {
        final String name;
        boolean usable = true;
        List<String> conflicts = List.of();
        String failOn;
        final Map<RulesetOwner, Ruleset> held = new LinkedHashMap<>();

        FakeFirewall(String name) {
            this.name = name;
        }

        @Override public String backend() { return name; }
        @Override public boolean usable(NetnsRef host) { return usable; }
        @Override public List<String> conflicts(NetnsRef host) { return conflicts; }
        @Override public String render(Ruleset desired) { return name + " " + desired.owner(); }
        @Override public String plan(NetnsRef host, Ruleset desired) { return render(desired); }

        @Override
        public void apply(NetnsRef host, Ruleset desired) {
            if (desired.owner().id().equals(failOn)) {
                throw new PatchbayException(name + " refused " + desired.owner());
            }
            held.put(desired.owner(), desired);
        }

        @Override
        public List<String> remove(NetnsRef host, RulesetOwner owner) {
            held.remove(owner);
            return List.of();
        }

        /** How often the kernel was read (owners): a backend's cached view is read again this way. */
        int reads;

        @Override public Set<RulesetOwner> owners(NetnsRef host) { reads++; return Set.copyOf(held.keySet()); }
    }

    @TempDir
    Path state;
    FakeFirewall nft = new FakeFirewall("nftables");
    FakeFirewall ipt = new FakeFirewall("iptables");
    FirewallService service = new FirewallService();
    FirewallHost host;

    @BeforeEach
    void wire() {
        service.add(nft, 200);
        service.add(ipt, 100);
        host = service.host(state, NetnsRef.current());
    }

    static Ruleset net(String name) {
        return new Ruleset(RulesetOwner.of("net:" + name), List.of(new Rule.Masquerade(IpPrefix.parse("10.9.0.0/24"), null),
                new Rule.BridgeForward(new IfName("br-" + name), List.of(IpPrefix.parse("10.9.0.0/24")))));
    }

    static Ruleset publish(String owner, String mapping) {
        return new Ruleset(RulesetOwner.of(owner), List.of(new Rule.PortForward(PortMapping.parse(mapping), IpAddresses.parse("ip", "10.9.0.2"))));
    }

    @Test
    void theDefaultIsTheBestRankedUsableBackend() {
        assertEquals("nftables", host.backend());
        nft.usable = false;
        assertEquals("iptables", host.backend());
    }

    @Test
    void theDefaultAvoidsABackendSomethingDefeats() {
        nft.conflicts = List.of("FORWARD drops");
        assertEquals("iptables", host.backend());
        FirewallHost.Swap swap = host.select("nftables", true);
        assertEquals(List.of("FORWARD drops"), swap.notices());
    }

    @Test
    void applyReplacesAnOwnersRulesAndIsRecorded() {
        host.apply(net("a"));
        host.apply(publish("net:a", "8080:80"));
        assertEquals(1, nft.held.size());
        assertEquals(publish("net:a", "8080:80"), nft.held.get(RulesetOwner.of("net:a")));
        FirewallHost again = new FirewallService().host(state, NetnsRef.current()); // another process reading the state
        assertEquals(Set.of(RulesetOwner.of("net:a")), again.rulesets().keySet());
    }

    @Test
    void aSwapMovesEveryOwnerAndLeavesNothingBehind() {
        host.apply(net("a"));
        host.apply(publish("att:a/c1", "8080:80"));
        FirewallHost.Swap swap = host.select("iptables", false);
        assertTrue(swap.changed());
        assertEquals(Set.of(RulesetOwner.of("net:a"), RulesetOwner.of("att:a/c1")), ipt.held.keySet());
        assertEquals(Map.of(), nft.held);
        assertEquals("iptables", host.backend());
        assertTrue(host.select("iptables", false).owners().size() == 2 && !host.select("iptables", false).changed(), "selecting it again is a no-op");
    }

    @Test
    void aFailedSwapUndoesItselfAndKeepsTheOldBackend() {
        host.apply(net("a"));
        host.apply(publish("att:a/c1", "8080:80"));
        ipt.failOn = "att:a/c1";
        assertThrows(PatchbayException.class, () -> host.select("iptables", false));
        assertEquals(Map.of(), ipt.held, "what the new backend got is taken back");
        assertEquals(2, nft.held.size(), "the old backend still holds everything");
        assertEquals("nftables", host.backend());
    }

    @Test
    void aDryRunChangesNothing() {
        host.apply(net("a"));
        FirewallHost.Swap swap = host.select("iptables", true);
        assertTrue(swap.changed());
        assertEquals(Map.of(), ipt.held);
        assertEquals("nftables", host.backend());
    }

    @Test
    void removeIsIdempotent() {
        host.apply(net("a"));
        host.remove(RulesetOwner.of("net:a"));
        host.remove(RulesetOwner.of("net:a"));
        host.remove(RulesetOwner.of("never-there"));
        assertEquals(Map.of(), nft.held);
        assertEquals(Map.of(), host.rulesets());
    }

    @Test
    void aFailedApplyPutsTheRecordBackAsItWas() {
        host.apply(publish("att:a/c1", "8080:80"));
        nft.failOn = "att:a/c1";
        assertThrows(PatchbayException.class, () -> host.apply(publish("att:a/c1", "9090:80")));
        nft.failOn = "att:a/c2";
        assertThrows(PatchbayException.class, () -> host.apply(publish("att:a/c2", "7070:80")));
        assertEquals(Map.of(RulesetOwner.of("att:a/c1"), publish("att:a/c1", "8080:80")), host.rulesets(), "c1 as before, c2 never");
        nft.failOn = null;
        host.apply(publish("att:a/c3", "9090:80")); // the failed apply's port was not kept
    }

    @Test
    void removingAnOwnerNeverRecordedAsksNoBackend() {
        host.apply(net("a"));
        nft.held.put(RulesetOwner.of("att:a/c9"), publish("att:a/c9", "8080:80")); // a remove would drop it
        assertEquals(List.of(), host.remove(RulesetOwner.of("att:a/c9")));
        assertTrue(nft.held.containsKey(RulesetOwner.of("att:a/c9")), "not asked");
    }

    @Test
    void aPortPublishedTwiceIsRefusedNamingItsOwner() {
        host.apply(publish("att:a/c1", "8080:80"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> host.apply(publish("att:a/c2", "8080:81")));
        assertTrue(e.getMessage().contains("is already published by container \"c1\" on network \"a\""), e.getMessage());
        assertEquals(1, nft.held.size());
        host.remove(RulesetOwner.of("att:a/c1"));
        host.apply(publish("att:a/c2", "8080:81")); // the claim went with its owner
        assertThrows(InvalidInputException.class, () -> host.apply(publish("att:a/c1", "8080:80")));
    }

    @Test
    void repairPutsBackWhatTheKernelLost() {
        host.apply(net("a"));
        host.apply(publish("att:a/c1", "8080:80"));
        nft.held.remove(RulesetOwner.of("att:a/c1")); // someone flushed it
        assertEquals(List.of(RulesetOwner.of("att:a/c1")), host.repair().owners());
        assertEquals(2, nft.held.size());
        assertEquals(List.of(), host.repair().owners(), "nothing missing: nothing done");
    }

    /** A backend whose drift check is cheap (nftables: the ruleset generation) is checked on every change; another (iptables) on a process's first. */
    @Test
    void everyChangePutsBackAFlushWhenTheBackendChecksCheaply() {
        for (boolean cheap : new boolean[] {true, false}) {
            FakeFirewall fw = new FakeFirewall("nftables");
            FirewallService daemon = new FirewallService();
            daemon.add(fw, 200, cheap);
            FirewallHost h = daemon.host(state.resolve(cheap ? "cheap" : "costly"), NetnsRef.current());
            h.apply(net("a"));
            h.apply(publish("att:a/c1", "8080:80")); // the process's first check: nothing lost
            fw.held.clear(); // nft flush table inet patchbay
            h.apply(publish("att:a/c2", "8081:80"));
            assertEquals(cheap ? 3 : 1, fw.held.size(), "cheap " + cheap + ": " + fw.held.keySet());
        }
    }

    @Test
    void anotherProcessesChangeMakesTheBackendReadTheKernelAgain() {
        host.apply(net("a"));
        host.apply(publish("att:a/c1", "8080:80")); // the first change with owners checks the kernel once
        int reads = nft.reads;
        host.apply(publish("att:a/c2", "8081:80"));
        assertEquals(reads, nft.reads, "after its own changes a process keeps its view");
        FirewallService other = new FirewallService(); // another process, same state directory
        other.add(new FakeFirewall("nftables"), 200);
        other.add(new FakeFirewall("iptables"), 100);
        other.host(state, NetnsRef.current()).select("iptables", false);
        other.host(state, NetnsRef.current()).select("nftables", false);
        host.apply(publish("att:a/c3", "8082:80"));
        assertTrue(nft.reads > reads, "after another process's change the backend reads the kernel again before changing it");
        reads = nft.reads;
        host.apply(publish("att:a/c4", "8083:80"));
        assertEquals(reads, nft.reads);
    }
}
