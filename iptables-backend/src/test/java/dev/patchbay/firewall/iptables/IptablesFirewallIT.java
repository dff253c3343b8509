package dev.patchbay.firewall.iptables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.testing.FirewallTopology;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The iptables backend against the real kernel, in the sandbox JVM's namespace (the host). */
@NetnsTest
class IptablesFirewallIT {
    static final NetnsRef HOST = NetnsRef.current();
    static final RulesetOwner NET = RulesetOwner.of("net:t");
    static final RulesetOwner ATT1 = RulesetOwner.of("att:t/c1");

    static Ruleset network() {
        return Ruleset.of(NET, new Rule.Masquerade(IpPrefix.parse("10.89.0.0/24"), null),
                new Rule.Masquerade(IpPrefix.parse("fd00:89::/64"), null),
                new Rule.BridgeForward(IfName.of("pbt0"), List.of(IpPrefix.parse("10.89.0.0/24"))),
                new Rule.Isolation(IfName.of("pbt0")));
    }

    static Ruleset publish(RulesetOwner owner, String mapping, String target) {
        return Ruleset.of(owner, new Rule.PortForward(PortMapping.parse(mapping), IpAddresses.parse("t", target)));
    }

    static String save(Sandbox sb) {
        IptablesFirewall fw = new IptablesFirewall();
        String v = fw.tool().variant;
        return sb.run("iptables-" + v + "-save") + sb.run("ip6tables-" + v + "-save");
    }

    @Test
    void appliesReplacesAndRemovesExactlyOneOwner(Sandbox sb) {
        sb.run("iptables", "-N", "FOREIGN-KEEP");
        sb.run("iptables", "-A", "FOREIGN-KEEP", "-j", "RETURN");
        String before = save(sb);
        IptablesFirewall fw = new IptablesFirewall();
        assertTrue(fw.usable(HOST));
        fw.apply(HOST, network());
        fw.apply(HOST, publish(ATT1, "8080:80/tcp", "10.89.0.2"));
        fw.apply(HOST, publish(ATT1, "8080:80/tcp", "10.89.0.2")); // idempotent: replaced, not doubled
        fw.apply(HOST, publish(RulesetOwner.of("att:t/c2"), "[fd00::1]:8081:80/udp", "fd00:89::3"));
        String s = save(sb);
        assertEquals(1, count(s, "--dport 8080"), s);
        assertTrue(s.contains("--to-destination [fd00:89::3]:80"), s);
        assertEquals(Set.of(NET, ATT1, RulesetOwner.of("att:t/c2")), fw.owners(HOST));
        fw.apply(HOST, publish(ATT1, "8090:80/tcp", "10.89.0.2"));
        s = save(sb);
        assertTrue(s.contains("--dport 8090") && !s.contains("--dport 8080"), s);
        assertEquals(List.of(), fw.remove(HOST, ATT1));
        assertEquals(List.of(), fw.remove(HOST, ATT1));
        assertFalse(save(sb).contains("att:t/c1"));
        fw.remove(HOST, RulesetOwner.of("att:t/c2"));
        fw.remove(HOST, NET);
        assertEquals(strip(before), strip(save(sb)), "back to what was there, foreign chain included");
        sb.run("iptables", "-F", "FOREIGN-KEEP");
        sb.run("iptables", "-X", "FOREIGN-KEEP");
    }

    /** A tunnel's port in raw: the peers' returns and the drop, replaced whole when the peers change, nothing left after. */
    @Test
    void aTunnelsPeersInRawFollowTheirChanges(Sandbox sb) {
        IptablesFirewall fw = new IptablesFirewall();
        RulesetOwner ov = RulesetOwner.of("overlay:t");
        fw.apply(HOST, Ruleset.of(ov, new Rule.TunnelPeers(4789, List.of(IpAddresses.parse("t", "192.0.2.1"), IpAddresses.parse("t", "192.0.2.2")))));
        String s = sb.run("iptables", "-t", "raw", "-S", "PATCHBAY-PREROUTING");
        assertTrue(s.contains("-s 192.0.2.2/32 -p udp -m udp --dport 4789") && s.contains("--dst-type LOCAL") && s.contains("-j DROP"), s);
        fw.apply(HOST, Ruleset.of(ov, new Rule.TunnelPeers(4789, List.of(IpAddresses.parse("t", "192.0.2.1")))));
        s = sb.run("iptables", "-t", "raw", "-S", "PATCHBAY-PREROUTING");
        assertTrue(s.contains("192.0.2.1/32") && !s.contains("192.0.2.2") && count(s, "pb:overlay:t") == 2, s);
        assertEquals(Set.of(ov), fw.owners(HOST));
        fw.remove(HOST, ov);
        assertFalse(save(sb).contains("PATCHBAY"));
    }

    @Test
    void keepsAUserChainTheOperatorFilled(Sandbox sb) {
        IptablesFirewall fw = new IptablesFirewall();
        fw.apply(HOST, network());
        sb.run("iptables", "-A", "PATCHBAY-USER", "-p", "tcp", "--dport", "9", "-j", "DROP");
        List<String> notices = fw.remove(HOST, NET);
        assertEquals(1, notices.size(), notices.toString());
        String s = save(sb);
        assertTrue(s.contains("-A PATCHBAY-USER") && !s.contains("PATCHBAY-FORWARD"), s);
        fw.apply(HOST, network());
        assertTrue(save(sb).contains("-A PATCHBAY-USER -p tcp"));
        sb.run("iptables", "-F", "PATCHBAY-USER");
        fw.remove(HOST, NET);
        assertFalse(save(sb).contains("PATCHBAY"));
    }

    /**
     * A virtual service on 10.89.0.100 (local: on the bridge) over c1 and c2: taken in turn from the host and from a backend
     * reaching its own service (hairpin, masqueraded), one backend after a swap, refused at once with none, nothing left after.
     */
    @Test
    void balancesAVirtualServiceAndLeavesNothing(Sandbox sb) throws Exception {
        var fw = new IptablesFirewall();
        try (FirewallTopology t = new FirewallTopology(sb)) {
            sb.run("ip", "addr", "add", "10.89.0.100/32", "dev", "pbt0");
            for (String port : List.of("pbtc1", "pbtc2")) { // bridge netfilter bridges a DNAT back to its sender: only through a hairpin port
                sb.run("ip", "link", "set", port, "type", "bridge_slave", "hairpin", "on");
            }
            t.serve(t.c1, 80, "c1");
            t.serve(t.c2, 80, "c2");
            fw.apply(HOST, network());
            RulesetOwner svc = RulesetOwner.of("svc:t");
            java.util.function.Function<List<String>, Ruleset> service = bs -> Ruleset.of(svc, new Rule.Balance(IpAddresses.parse("t", "10.89.0.100"),
                    dev.patchbay.core.model.Protocol.TCP, 80, bs.stream().map(b -> new Rule.Balance.Backend(IpAddresses.parse("t", b), 80)).toList(),
                    Rule.Balance.Mode.ROUND_ROBIN, 0));
            fw.apply(HOST, service.apply(List.of("10.89.0.2", "10.89.0.3")));
            java.util.Map<String, Integer> seen = new java.util.TreeMap<>();
            for (int i = 0; i < 4; i++) {
                seen.merge(t.connect(null, "10.89.0.100", 80).split(" ")[0], 1, Integer::sum);
            }
            assertEquals(java.util.Map.of("c1", 2, "c2", 2), seen, "in turn from the host");
            seen.clear();
            for (int i = 0; i < 2; i++) {
                String got = t.connect(t.c2, "10.89.0.100", 80);
                assertTrue(got.endsWith(" 10.89.0.1"), "a backend reaching its own service, masqueraded: " + got);
                seen.merge(got.split(" ")[0], 1, Integer::sum);
            }
            assertEquals(java.util.Map.of("c1", 1, "c2", 1), seen, "in turn from a container");
            fw.apply(HOST, service.apply(List.of("10.89.0.2")));
            assertEquals("c1", t.connect(t.c2, "10.89.0.100", 80).split(" ")[0]);
            assertEquals("c1", t.connect(null, "10.89.0.100", 80).split(" ")[0]);
            fw.apply(HOST, service.apply(List.of()));
            long start = System.nanoTime();
            String refused = t.connect(t.c1, "10.89.0.100", 80);
            assertTrue(refused.startsWith("FAIL") && refused.contains("refused"), refused);
            assertTrue(System.nanoTime() - start < 2_000_000_000L, "refused at once, not timed out");
            fw.remove(HOST, svc);
            assertFalse(save(sb).contains("svc:t"));
            fw.remove(HOST, NET);
        }
    }

    @Test
    void trafficFlowsThroughMasqueradeAndDnat(Sandbox sb) throws Exception {
        IptablesFirewall fw = new IptablesFirewall();
        try (FirewallTopology t = new FirewallTopology(sb)) {
            t.serve(t.outside, 7000, "outside");
            t.serve(t.c1, 80, "c1");
            String pre = t.connect(t.c1, "192.0.2.2", 7000);
            assertTrue(pre.startsWith("FAIL"), "no masquerade yet: " + pre);
            fw.apply(HOST, network());
            fw.apply(HOST, publish(ATT1, "8080:80/tcp", "10.89.0.2"));
            assertEquals("outside 192.0.2.1", t.connect(t.c1, "192.0.2.2", 7000), "masquerade");
            assertEquals("c1 192.0.2.2", t.connect(t.outside, "192.0.2.1", 8080), "DNAT from outside");
            assertTrue(t.connect(null, "192.0.2.1", 8080).startsWith("c1 "), "DNAT from the host");
            assertEquals("c1 10.89.0.1", t.connect(t.c2, "192.0.2.1", 8080), "hairpin from a neighbour, masqueraded");
            fw.remove(HOST, ATT1);
            assertTrue(t.connect(t.outside, "192.0.2.1", 8080).startsWith("FAIL"));
            fw.remove(HOST, NET);
        }
    }

    private static int count(String s, String what) {
        return s.split(java.util.regex.Pattern.quote(what), -1).length - 1;
    }

    /** Rules and user chains only: iptables-nft leaves empty built-in chains of tables it once created. */
    private static List<String> strip(String save) {
        return save.lines().filter(l -> l.startsWith("-A") || l.matches(":\\S+ - .*")).sorted().toList();
    }
}
