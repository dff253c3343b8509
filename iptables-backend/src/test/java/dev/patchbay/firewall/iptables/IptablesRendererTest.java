package dev.patchbay.firewall.iptables;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.PortMapping;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rendering goldens: the exact restore input, IPv4 and IPv6, with and without uplink, host-address DNAT. */
class IptablesRendererTest {

    static final Ruleset RS = Ruleset.of(RulesetOwner.of("net:web"),
            new Rule.Masquerade(IpPrefix.parse("10.89.0.0/24"), null),
            new Rule.Masquerade(IpPrefix.parse("fd00:89::/64"), IfName.of("eth0")),
            new Rule.BridgeForward(IfName.of("pb0"), List.of(IpPrefix.parse("10.89.0.0/24"), IpPrefix.parse("fd00:89::/64"))),
            new Rule.Isolation(IfName.of("pb0")),
            new Rule.PortForward(PortMapping.parse("127.0.0.1:5300-5301:53-54/udp"), IpAddresses.parse("t", "10.89.0.2")),
            new Rule.PortForward(PortMapping.parse("8080:80/tcp"), IpAddresses.parse("t", "10.89.0.2")),
            new Rule.PortForward(PortMapping.parse("[fd00::1]:443:8443/sctp"), IpAddresses.parse("t", "fd00:89::2")));

    /** An internal network: nothing forwarded into or out of its bridge, in each family's filter table. */
    @Test
    void internalDropsEverythingForwardedAcrossItsBridgeEitherWay() {
        Ruleset rs = Ruleset.of(RulesetOwner.of("net:db"), new Rule.Internal(IfName.of("pb0")));
        for (dev.patchbay.core.model.Family f : dev.patchbay.core.model.Family.values()) {
            assertEquals(java.util.List.of("-A PATCHBAY-ISOLATION-1 -i pb0 ! -o pb0 -m comment --comment pb:net:db -j DROP",
                    "-A PATCHBAY-ISOLATION-1 ! -i pb0 -o pb0 -m comment --comment pb:net:db -j DROP"), IptablesRenderer.rules(rs, f).get("filter"), f.name());
        }
    }

    /** Peers: returns before the owner's jump and before its drop (an owner's rules keep their order), each way. */
    @Test
    void anIsolatedBridgesPeersPassBothWays() {
        Ruleset rs = Ruleset.of(RulesetOwner.of("net:db"), new Rule.Isolation(IfName.of("pb0"), List.of(IfName.of("pb1"))));
        for (dev.patchbay.core.model.Family f : dev.patchbay.core.model.Family.values()) {
            assertEquals(List.of("-A PATCHBAY-ISOLATION-1 -i pb0 -o pb1 -m comment --comment pb:net:db -j RETURN",
                    "-A PATCHBAY-ISOLATION-1 -i pb0 ! -o pb0 -m comment --comment pb:net:db -j PATCHBAY-ISOLATION-2",
                    "-A PATCHBAY-ISOLATION-2 -i pb1 -o pb0 -m comment --comment pb:net:db -j RETURN",
                    "-A PATCHBAY-ISOLATION-2 -o pb0 -m comment --comment pb:net:db -j DROP"), IptablesRenderer.rules(rs, f).get("filter"), f.name());
        }
    }

    @Test
    void rendersBothFamilies() {
        assertEquals("""
                # iptables-restore --noflush
                *raw
                :PATCHBAY-PREROUTING - [0:0]
                -A PREROUTING -m comment --comment patchbay -j PATCHBAY-PREROUTING
                -A PATCHBAY-PREROUTING -d 127.0.0.0/8 ! -i lo -m comment --comment patchbay -j DROP
                COMMIT
                *nat
                :PATCHBAY-DNAT - [0:0]
                :PATCHBAY-POSTROUTING - [0:0]
                -A PREROUTING -m addrtype --dst-type LOCAL -m comment --comment patchbay -j PATCHBAY-DNAT
                -A OUTPUT -m addrtype --dst-type LOCAL -m comment --comment patchbay -j PATCHBAY-DNAT
                -A POSTROUTING -m comment --comment patchbay -j PATCHBAY-POSTROUTING
                -A PATCHBAY-POSTROUTING -d 224.0.0.0/4 -m comment --comment patchbay -j RETURN
                -A PATCHBAY-POSTROUTING -s 10.89.0.0/24 ! -d 10.89.0.0/24 -m comment --comment pb:net:web -j MASQUERADE
                -A PATCHBAY-POSTROUTING -s 10.89.0.0/24 -o pb0 -m conntrack --ctstate DNAT -m comment --comment pb:net:web -j MASQUERADE
                -A PATCHBAY-POSTROUTING -s 127.0.0.0/8 -o pb0 -m comment --comment pb:net:web -j MASQUERADE
                -I PATCHBAY-DNAT 1 -d 127.0.0.1/32 -p udp -m udp --dport 5300 -m comment --comment pb:net:web -j DNAT --to-destination 10.89.0.2:53
                -I PATCHBAY-DNAT 2 -d 127.0.0.1/32 -p udp -m udp --dport 5301 -m comment --comment pb:net:web -j DNAT --to-destination 10.89.0.2:54
                -A PATCHBAY-DNAT -p tcp -m tcp --dport 8080 -m comment --comment pb:net:web -j DNAT --to-destination 10.89.0.2:80
                COMMIT
                *filter
                :PATCHBAY-USER - [0:0]
                :PATCHBAY-ISOLATION-2 - [0:0]
                :PATCHBAY-ISOLATION-1 - [0:0]
                :PATCHBAY-ACCEPT - [0:0]
                :PATCHBAY-FORWARD - [0:0]
                -I FORWARD 1 -m comment --comment patchbay -j PATCHBAY-FORWARD
                -A PATCHBAY-FORWARD -m comment --comment patchbay -j PATCHBAY-USER
                -A PATCHBAY-FORWARD -m comment --comment patchbay -j PATCHBAY-ISOLATION-1
                -A PATCHBAY-FORWARD -m comment --comment patchbay -j PATCHBAY-ACCEPT
                -A PATCHBAY-ACCEPT -i pb0 -m comment --comment pb:net:web -j ACCEPT
                -A PATCHBAY-ACCEPT -o pb0 -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment pb:net:web -j ACCEPT
                -A PATCHBAY-ACCEPT -o pb0 -m conntrack --ctstate DNAT -m comment --comment pb:net:web -j ACCEPT
                -A PATCHBAY-ISOLATION-1 -i pb0 ! -o pb0 -m comment --comment pb:net:web -j PATCHBAY-ISOLATION-2
                -A PATCHBAY-ISOLATION-2 -o pb0 -m comment --comment pb:net:web -j DROP
                COMMIT
                # ip6tables-restore --noflush
                *nat
                :PATCHBAY-DNAT - [0:0]
                :PATCHBAY-POSTROUTING - [0:0]
                -A PREROUTING -m addrtype --dst-type LOCAL -m comment --comment patchbay -j PATCHBAY-DNAT
                -A OUTPUT -m addrtype --dst-type LOCAL -m comment --comment patchbay -j PATCHBAY-DNAT
                -A POSTROUTING -m comment --comment patchbay -j PATCHBAY-POSTROUTING
                -A PATCHBAY-POSTROUTING -d ff00::/8 -m comment --comment patchbay -j RETURN
                -A PATCHBAY-POSTROUTING -s fd00:89::/64 ! -d fd00:89::/64 -o eth0 -m comment --comment pb:net:web -j MASQUERADE
                -A PATCHBAY-POSTROUTING -s fd00:89::/64 -o pb0 -m conntrack --ctstate DNAT -m comment --comment pb:net:web -j MASQUERADE
                -I PATCHBAY-DNAT 1 -d fd00::1/128 -p sctp -m sctp --dport 443 -m comment --comment pb:net:web -j DNAT --to-destination [fd00:89::2]:8443
                COMMIT
                *filter
                :PATCHBAY-USER - [0:0]
                :PATCHBAY-ISOLATION-2 - [0:0]
                :PATCHBAY-ISOLATION-1 - [0:0]
                :PATCHBAY-ACCEPT - [0:0]
                :PATCHBAY-FORWARD - [0:0]
                -I FORWARD 1 -m comment --comment patchbay -j PATCHBAY-FORWARD
                -A PATCHBAY-FORWARD -m comment --comment patchbay -j PATCHBAY-USER
                -A PATCHBAY-FORWARD -m comment --comment patchbay -j PATCHBAY-ISOLATION-1
                -A PATCHBAY-FORWARD -m comment --comment patchbay -j PATCHBAY-ACCEPT
                -A PATCHBAY-ACCEPT -i pb0 -m comment --comment pb:net:web -j ACCEPT
                -A PATCHBAY-ACCEPT -o pb0 -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment pb:net:web -j ACCEPT
                -A PATCHBAY-ACCEPT -o pb0 -m conntrack --ctstate DNAT -m comment --comment pb:net:web -j ACCEPT
                -A PATCHBAY-ISOLATION-1 -i pb0 ! -o pb0 -m comment --comment pb:net:web -j PATCHBAY-ISOLATION-2
                -A PATCHBAY-ISOLATION-2 -o pb0 -m comment --comment pb:net:web -j DROP
                COMMIT
                """, IptablesRenderer.render(RS));
    }

    @Test
    void replacesByExactSavedText() {
        String save = """
                *nat
                :PREROUTING ACCEPT [0:0]
                :PATCHBAY-DNAT - [0:0]
                :PATCHBAY-POSTROUTING - [0:0]
                -A PREROUTING -m addrtype --dst-type LOCAL -m comment --comment patchbay -j PATCHBAY-DNAT
                -A OUTPUT -m addrtype --dst-type LOCAL -m comment --comment patchbay -j PATCHBAY-DNAT
                -A POSTROUTING -m comment --comment patchbay -j PATCHBAY-POSTROUTING
                -A PATCHBAY-POSTROUTING -d 224.0.0.0/4 -m comment --comment patchbay -j RETURN
                -A PATCHBAY-DNAT -p tcp -m tcp --dport 8080 -m comment --comment "pb:att:x" -j DNAT --to-destination 10.0.0.2:80
                -A PATCHBAY-DNAT -p tcp -m tcp --dport 8081 -m comment --comment "pb:att:y" -j DNAT --to-destination 10.0.0.3:80
                COMMIT
                """;
        IptablesTool.Saved s = IptablesTool.Saved.parse(save);
        Ruleset rs = Ruleset.of(RulesetOwner.of("att:x"), new Rule.PortForward(PortMapping.parse("9090:80/tcp"), IpAddresses.parse("t", "10.0.0.2")));
        String nat = IptablesFirewall.planFamily(s, rs, dev.patchbay.core.model.Family.INET);
        assertEquals(true, nat.contains("""
                *nat
                -D PATCHBAY-DNAT -p tcp -m tcp --dport 8080 -m comment --comment "pb:att:x" -j DNAT --to-destination 10.0.0.2:80
                -A PATCHBAY-DNAT -p tcp -m tcp --dport 9090 -m comment --comment pb:att:x -j DNAT --to-destination 10.0.0.2:80
                COMMIT
                """), nat);
        assertEquals(java.util.Set.of("att:x", "att:y"), s.owners());
    }

    /** After {@code iptables -t nat -F}: the chains stay, their rules and the jumps into them are gone; all of it comes back. */
    @Test
    void aFlushedTableGetsItsJumpsAndFixedRulesBack() {
        String save = """
                *nat
                :PREROUTING ACCEPT [0:0]
                :POSTROUTING ACCEPT [0:0]
                :PATCHBAY-DNAT - [0:0]
                :PATCHBAY-POSTROUTING - [0:0]
                -A POSTROUTING -m comment --comment patchbay -j PATCHBAY-POSTROUTING
                COMMIT
                """;
        IptablesTool.Saved s = IptablesTool.Saved.parse(save);
        dev.patchbay.core.model.Family v4 = dev.patchbay.core.model.Family.INET;
        assertEquals(false, IptablesFirewall.whole(s, "nat", v4));
        Ruleset rs = Ruleset.of(RulesetOwner.of("net:a"), new Rule.Masquerade(IpPrefix.parse("10.0.0.0/24"), null));
        String plan = IptablesFirewall.planFamily(s, rs, v4);
        assertEquals(true, plan.contains("""
                *nat
                -D POSTROUTING -m comment --comment patchbay -j PATCHBAY-POSTROUTING
                -A PREROUTING -m addrtype --dst-type LOCAL -m comment --comment patchbay -j PATCHBAY-DNAT
                -A OUTPUT -m addrtype --dst-type LOCAL -m comment --comment patchbay -j PATCHBAY-DNAT
                -A POSTROUTING -m comment --comment patchbay -j PATCHBAY-POSTROUTING
                -I PATCHBAY-POSTROUTING 1 -d 224.0.0.0/4 -m comment --comment patchbay -j RETURN
                -A PATCHBAY-POSTROUTING -s 10.0.0.0/24 ! -d 10.0.0.0/24 -m comment --comment pb:net:a -j MASQUERADE
                COMMIT
                """), plan);
        assertEquals(false, IptablesFirewall.whole(s, "filter", v4), "no filter chains at all");
        assertEquals(true, IptablesFirewall.whole(IptablesTool.Saved.parse(""), "raw", dev.patchbay.core.model.Family.INET6), "nothing of ip6 raw is Patchbay's");
    }

    /** A table the nf_tables variant makes for Patchbay carries a marker chain, which the teardown deletes with the rest. */
    @Test
    void aTableMadeForPatchbayIsMarkedAndItsMarkerGoesWithTheTeardown() {
        Ruleset rs = Ruleset.of(RulesetOwner.of("net:a"), new Rule.Masquerade(IpPrefix.parse("10.0.0.0/24"), null));
        IptablesTool.Saved none = IptablesTool.Saved.parse("");
        String plan = IptablesFirewall.planFamily(none, rs, dev.patchbay.core.model.Family.INET, true);
        assertEquals(3, plan.split(":PATCHBAY-MADE - \\[0:0\\]", -1).length - 1, "raw, nat and filter are new: each is marked\n" + plan);
        String save = """
                *nat
                :PREROUTING ACCEPT [0:0]
                :PATCHBAY-MADE - [0:0]
                :PATCHBAY-DNAT - [0:0]
                :PATCHBAY-POSTROUTING - [0:0]
                COMMIT
                *filter
                :INPUT ACCEPT [0:0]
                :FORWARD DROP [0:0]
                COMMIT
                """;
        IptablesTool.Saved s = IptablesTool.Saved.parse(save);
        assertEquals(false, IptablesFirewall.planFamily(s, rs, dev.patchbay.core.model.Family.INET, true).contains("*nat\n:PATCHBAY-MADE"),
                "a table that exists is never marked");
        assertEquals(true, IptablesFirewall.teardown(s, dev.patchbay.core.model.Family.INET).contains("-X PATCHBAY-MADE"));
        assertEquals(java.util.Set.of("nat", "filter"), s.busy, "chains of its own, a DROP policy: not empty");
        assertEquals(java.util.Set.of(), IptablesTool.Saved.parse("*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n").busy);
    }

    /** A tunnel's port in raw (IPv4 only): each peer returns, the rest to the host's port is dropped. */
    @Test
    void aTunnelsPortTakesOnlyItsPeersPackets() {
        Ruleset rs = Ruleset.of(RulesetOwner.of("overlay:ov"), new Rule.TunnelPeers(4789, List.of(IpAddresses.parse("t", "192.168.78.2"))));
        String udp = " -p udp -m udp --dport 4789 -m addrtype --dst-type LOCAL -m comment --comment pb:overlay:ov";
        assertEquals(List.of("-A PATCHBAY-PREROUTING -s 192.168.78.2/32" + udp + " -j RETURN", "-A PATCHBAY-PREROUTING" + udp + " -j DROP"),
                IptablesRenderer.rules(rs, dev.patchbay.core.model.Family.INET).get("raw"));
        assertEquals(List.of(), IptablesRenderer.rules(rs, dev.patchbay.core.model.Family.INET6).get("raw"));
    }
}
