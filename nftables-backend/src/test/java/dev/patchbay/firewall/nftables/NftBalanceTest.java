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
        assertEquals("""
                add rule inet patchbay nat-pre ip daddr 10.89.0.100 tcp dport 80 dnat ip to numgen inc mod 3 map { 0 : 10.89.0.2 . 8080, 1 : 10.89.0.3 . 8080, 2 : 10.89.0.4 . 8080 } comment "svc:web"
                add rule inet patchbay nat-out ip daddr 10.89.0.100 tcp dport 80 dnat ip to numgen inc mod 3 map { 0 : 10.89.0.2 . 8080, 1 : 10.89.0.3 . 8080, 2 : 10.89.0.4 . 8080 } comment "svc:web"
                add rule inet patchbay nat-post ct original ip daddr 10.89.0.100 ct status dnat masquerade comment "svc:web"
                """, String.join("\n", NftRenderer.rules(service(Rule.Balance.Mode.ROUND_ROBIN, "10.89.0.2", "10.89.0.3", "10.89.0.4"))) + "\n");
    }

    @Test
    void randomAndIpv6() {
        Ruleset rs = Ruleset.of(SVC, new Rule.Balance(IpAddresses.parse("t", "fd00:89::64"), Protocol.UDP, 53,
                List.of(new Rule.Balance.Backend(IpAddresses.parse("t", "fd00:89::2"), 5353)), Rule.Balance.Mode.RANDOM, 0));
        assertEquals("add rule inet patchbay nat-pre ip6 daddr fd00:89::64 udp dport 53 dnat ip6 to numgen random mod 1 map { 0 : fd00:89::2 . 5353 } comment \"svc:web\"",
                NftRenderer.rules(rs).get(0));
    }

    @Test
    void noBackendIsARejectNotABlackHole() {
        assertEquals(List.of(
                "add rule inet patchbay nat-pre ip daddr 10.89.0.100 tcp dport 80 reject with tcp reset comment \"svc:web\"",
                "add rule inet patchbay nat-out ip daddr 10.89.0.100 tcp dport 80 reject with tcp reset comment \"svc:web\""),
                NftRenderer.rules(service(Rule.Balance.Mode.ROUND_ROBIN)));
    }

    /** A backend more or less replaces the service's three rules in one script; the handles counted include each anonymous map's. */
    @Test
    void aRehearsedSwapDeletesTheRulesByTheHandlesTheKernelGives() {
        NftRehearsal r = new NftRehearsal("");
        r.apply(Ruleset.of(RulesetOwner.of("net:web"), new Rule.Masquerade(IpPrefix.parse("10.89.0.0/24"), null),
                new Rule.BridgeForward(IfName.of("pb0"), List.of(IpPrefix.parse("10.89.0.0/24"))))); // handles 1-28
        r.apply(service(Rule.Balance.Mode.ROUND_ROBIN, "10.89.0.2", "10.89.0.3")); // maps 29, 31; rules 30, 32, 33
        String swap = r.apply(service(Rule.Balance.Mode.ROUND_ROBIN, "10.89.0.2")).get(0);
        assertTrue(swap.contains("delete rule inet patchbay nat-pre handle 30\ndelete rule inet patchbay nat-out handle 32\n"
                + "delete rule inet patchbay nat-post handle 33\n"), swap);
        assertTrue(swap.contains("numgen inc mod 1 map { 0 : 10.89.0.2 . 8080 }"), swap);
        String rm = r.remove(RulesetOwner.of("svc:web")).get(0);
        assertTrue(rm.contains("delete rule inet patchbay nat-pre handle 35\n"), rm);
    }

    /**
     * Affinity: the client's remembered backend first, then the pick; the affinity chain remembers each new connection's
     * backend in the service's own dynamic map, made afresh by each apply and deleted with the service.
     */
    @Test
    void affinityIsADynamicMapLookedUpFirstAndFilledBeforeSourceNat() {
        Ruleset rs = Ruleset.of(SVC, new Rule.Balance(IpAddresses.parse("t", "10.89.0.100"), Protocol.TCP, 80,
                List.of(new Rule.Balance.Backend(IpAddresses.parse("t", "10.89.0.2"), 8080)), Rule.Balance.Mode.ROUND_ROBIN, 30));
        assertEquals(List.of("add chain inet patchbay affinity { type filter hook postrouting priority 99; policy accept; }",
                "add map inet patchbay aff0-svc_cweb { type ipv4_addr : ipv4_addr; flags dynamic,timeout; timeout 30s; }",
                "add map inet patchbay aff0p-svc_cweb { type ipv4_addr : inet_service; flags dynamic,timeout; timeout 30s; }"),
                NftBalance.objects(rs));
        List<String> rules = NftRenderer.rules(rs);
        assertEquals("add rule inet patchbay nat-pre ip daddr 10.89.0.100 tcp dport 80 dnat ip to ip saddr map @aff0-svc_cweb : ip saddr map @aff0p-svc_cweb comment \"svc:web\"",
                rules.get(0));
        assertTrue(rules.get(1).contains("nat-pre ip daddr 10.89.0.100 tcp dport 80 dnat ip to numgen inc mod 1"), rules.get(1));
        assertEquals("add rule inet patchbay affinity ct state new ct status dnat meta l4proto tcp ip daddr . th dport { 10.89.0.2 . 8080 }"
                + " update @aff0-svc_cweb { ip saddr : ip daddr } update @aff0p-svc_cweb { ip saddr : th dport } comment \"svc:web\"",
                rules.get(rules.size() - 1));
        assertTrue(NftBalance.ownedBy("aff0-svc_cweb", "svc:web") && !NftBalance.ownedBy("aff0-svc_cweb", "svc:we")
                && !NftBalance.ownedBy("aff0-svc_cweb-0", "svc:web") && NftBalance.ownedBy("aff12p-svc_cweb", "svc:web"));

        NftRehearsal r = new NftRehearsal("");
        String first = r.apply(rs).get(0);
        assertTrue(first.indexOf("add map inet patchbay aff0-svc_cweb") < first.indexOf("dnat ip to ip saddr map"), first);
        String again = r.apply(rs).get(0);
        assertTrue(again.contains("delete map inet patchbay aff0-svc_cweb\ndelete map inet patchbay aff0p-svc_cweb\nadd chain inet patchbay affinity"), again);
        r.apply(Ruleset.of(RulesetOwner.of("net:web"), new Rule.Masquerade(IpPrefix.parse("10.89.0.0/24"), null)));
        String rm = r.remove(SVC).get(0);
        assertTrue(rm.contains("delete map inet patchbay aff0-svc_cweb") && !rm.contains("delete table"), rm);
    }

    /** A port forward to the VIP publishes the service: its host port balanced by rules of its own, no forward map element. */
    @Test
    void aPortForwardToTheVipIsBalancedItself() {
        Ruleset rs = Ruleset.of(SVC, service(Rule.Balance.Mode.ROUND_ROBIN, "10.89.0.2").rules().get(0),
                new Rule.PortForward(dev.patchbay.core.model.PortMapping.parse("8000:80/tcp"), IpAddresses.parse("t", "10.89.0.100")));
        assertEquals(List.of(), NftRenderer.elements(rs));
        List<String> rules = NftRenderer.rules(rs);
        assertTrue(rules.contains("add rule inet patchbay nat-pre meta nfproto ipv4 fib daddr type local tcp dport 8000 dnat ip to numgen inc mod 1"
                + " map { 0 : 10.89.0.2 . 8080 } comment \"svc:web\""), String.join("\n", rules));
        assertEquals(5, rules.size(), String.join("\n", rules));
    }
}
