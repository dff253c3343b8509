package dev.patchbay.firewall.nftables;

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

/** Rendering goldens: the exact nft text, IPv4 and IPv6, with and without uplink, host-address DNAT. */
class NftRendererTest {

    static Ruleset network() {
        return Ruleset.of(RulesetOwner.of("net:web"),
                new Rule.Masquerade(IpPrefix.parse("10.89.0.0/24"), null),
                new Rule.Masquerade(IpPrefix.parse("fd00:89::/64"), IfName.of("eth0")),
                new Rule.BridgeForward(IfName.of("pb0"), List.of(IpPrefix.parse("10.89.0.0/24"), IpPrefix.parse("fd00:89::/64"))),
                new Rule.Isolation(IfName.of("pb0")));
    }

    static Ruleset attachment() {
        return Ruleset.of(RulesetOwner.of("att:web/c1"),
                new Rule.PortForward(PortMapping.parse("8080:80/tcp"), IpAddresses.parse("t", "10.89.0.2")),
                new Rule.PortForward(PortMapping.parse("127.0.0.1:5300-5301:53-54/udp"), IpAddresses.parse("t", "10.89.0.2")),
                new Rule.PortForward(PortMapping.parse("9000:9000/sctp"), IpAddresses.parse("t", "fd00:89::2")),
                new Rule.PortForward(PortMapping.parse("[fd00::1]:443:8443/tcp"), IpAddresses.parse("t", "fd00:89::2")));
    }

    @Test
    void networkRules() {
        assertEquals("""
                add rule inet patchbay nat-post ip saddr 10.89.0.0/24 ip daddr != 10.89.0.0/24 ip daddr != 224.0.0.0/4 masquerade comment "net:web"
                add rule inet patchbay nat-post ip6 saddr fd00:89::/64 ip6 daddr != fd00:89::/64 ip6 daddr != ff00::/8 oifname "eth0" masquerade comment "net:web"
                add rule inet patchbay filter-fwd iifname "pb0" accept comment "net:web"
                add rule inet patchbay filter-fwd oifname "pb0" ct state established,related accept comment "net:web"
                add rule inet patchbay filter-fwd oifname "pb0" ct status dnat accept comment "net:web"
                add rule inet patchbay nat-post oifname "pb0" ct status dnat ip saddr 10.89.0.0/24 masquerade comment "net:web"
                add rule inet patchbay nat-post oifname "pb0" ct status dnat ip6 saddr fd00:89::/64 masquerade comment "net:web"
                add rule inet patchbay nat-post oifname "pb0" ip saddr 127.0.0.0/8 masquerade comment "net:web"
                add rule inet patchbay isolation iifname "pb0" oifname != "pb0" jump isolation2 comment "net:web"
                add rule inet patchbay isolation2 oifname "pb0" drop comment "net:web"
                """, String.join("\n", NftRenderer.rules(network())) + "\n");
    }

    /** An internal network: nothing forwarded into or out of its bridge, both families (the table is inet). */
    @Test
    void internalDropsEverythingForwardedAcrossItsBridgeEitherWay() {
        assertEquals("""
                add rule inet patchbay isolation iifname "pb0" oifname != "pb0" drop comment "net:db"
                add rule inet patchbay isolation oifname "pb0" iifname != "pb0" drop comment "net:db"
                """, String.join("\n", NftRenderer.rules(Ruleset.of(RulesetOwner.of("net:db"), new Rule.Internal(IfName.of("pb0"))))) + "\n");
    }

    /** Peers: returns before the owner's jump and before its drop (an owner's rules keep their order), each way. */
    @Test
    void anIsolatedBridgesPeersPassBothWays() {
        assertEquals("""
                add rule inet patchbay isolation iifname "pb0" oifname "pb1" return comment "net:db"
                add rule inet patchbay isolation iifname "pb0" oifname != "pb0" jump isolation2 comment "net:db"
                add rule inet patchbay isolation2 iifname "pb1" oifname "pb0" return comment "net:db"
                add rule inet patchbay isolation2 oifname "pb0" drop comment "net:db"
                """, String.join("\n", NftRenderer.rules(Ruleset.of(RulesetOwner.of("net:db"),
                new Rule.Isolation(IfName.of("pb0"), List.of(IfName.of("pb1")))))) + "\n");
    }

    @Test
    void portForwardsAreMapElements() {
        assertEquals("""
                add element inet patchbay fwd4 { tcp . 8080 comment "att:web/c1" : 10.89.0.2 . 80 }
                add element inet patchbay fwd4ip { 127.0.0.1 . udp . 5300 comment "att:web/c1" : 10.89.0.2 . 53, 127.0.0.1 . udp . 5301 comment "att:web/c1" : 10.89.0.2 . 54 }
                add element inet patchbay fwd6 { sctp . 9000 comment "att:web/c1" : fd00:89::2 . 9000 }
                add element inet patchbay fwd6ip { fd00::1 . tcp . 443 comment "att:web/c1" : fd00:89::2 . 8443 }
                """, String.join("\n", NftRenderer.addElements(NftRenderer.elements(attachment()))) + "\n");
        assertEquals("delete element inet patchbay fwd4 { tcp . 8080 }",
                NftRenderer.deleteElements(NftRenderer.elements(attachment())).get(0));
    }

    @Test
    void fullRenderStartsWithTheSkeleton() {
        String text = NftRenderer.render(network());
        assertEquals(String.join("\n", NftRenderer.skeleton()) + "\n" + String.join("\n", NftRenderer.rules(network())) + "\n", text);
        assertEquals("""
                add table inet patchbay
                add map inet patchbay fwd4 { type inet_proto . inet_service : ipv4_addr . inet_service; }
                add map inet patchbay fwd4ip { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }
                add map inet patchbay fwd6 { type inet_proto . inet_service : ipv6_addr . inet_service; }
                add map inet patchbay fwd6ip { type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service; }
                add chain inet patchbay user
                add chain inet patchbay ports
                add rule inet patchbay ports meta nfproto ipv4 dnat ip to ip daddr . meta l4proto . th dport map @fwd4ip
                add rule inet patchbay ports meta nfproto ipv4 dnat ip to meta l4proto . th dport map @fwd4
                add rule inet patchbay ports meta nfproto ipv6 dnat ip6 to ip6 daddr . meta l4proto . th dport map @fwd6ip
                add rule inet patchbay ports meta nfproto ipv6 dnat ip6 to meta l4proto . th dport map @fwd6
                add chain inet patchbay isolation
                add chain inet patchbay isolation2
                add chain inet patchbay raw-pre { type filter hook prerouting priority raw; policy accept; }
                add rule inet patchbay raw-pre iifname != "lo" ip daddr 127.0.0.0/8 drop
                add chain inet patchbay nat-pre { type nat hook prerouting priority dstnat; policy accept; }
                add rule inet patchbay nat-pre fib daddr type local jump ports
                add chain inet patchbay nat-out { type nat hook output priority -100; policy accept; }
                add rule inet patchbay nat-out fib daddr type local jump ports
                add chain inet patchbay nat-post { type nat hook postrouting priority srcnat; policy accept; }
                add chain inet patchbay filter-fwd { type filter hook forward priority filter; policy accept; }
                add rule inet patchbay filter-fwd jump user
                add rule inet patchbay filter-fwd jump isolation
                """, String.join("\n", NftRenderer.skeleton()) + "\n");
    }

    @Test
    void teardownKeepsAUserChainWithRules() {
        assertEquals(List.of("delete table inet patchbay"), NftRenderer.teardown(false, List.of("ports"), List.of()));
        assertEquals(List.of("flush chain inet patchbay ports", "delete chain inet patchbay ports", "delete map inet patchbay fwd4"),
                NftRenderer.teardown(true, List.of("ports", "user"), List.of("fwd4")));
    }

    @Test
    void parsesTheListingAndEcho() {
        String json = """
                {"nftables": [{"metainfo": {"version": "1.0.6"}}, {"table": {"family": "inet", "name": "patchbay"}},
                {"map": {"name": "fwd4", "elem": [[{"elem": {"val": {"concat": ["tcp", 8080]}, "comment": "att:x"}}, {"concat": ["10.0.0.2", 80]}]]}},
                {"chain": {"name": "filter-fwd"}}, {"chain": {"name": "user"}},
                {"rule": {"chain": "nat-post", "handle": 16, "comment": "net:a", "expr": []}},
                {"rule": {"chain": "user", "handle": 17, "expr": []}}]}
                """;
        NftState s = NftState.parse(json);
        assertEquals(true, s.skeleton());
        assertEquals(1, s.userRules);
        assertEquals(List.of(new NftState.RuleRef("nat-post", 16)), s.rules.get("net:a"));
        assertEquals(new NftRenderer.Element("fwd4", "tcp . 8080", "10.0.0.2 . 80", "att:x"), s.elementsOf("att:x").get(0));
        assertEquals(List.of(new NftState.RuleRef("filter-fwd", 22)), NftState.echoedRules(
                "add rule inet patchbay filter-fwd iifname \"br9\" accept comment \"x\" # handle 22\n").get("x"));
    }

    /** A listing of the whole skeleton: every chain and map, the fixed rules (no comment) with handles 1, 2, ... */
    static String listing(String... extra) {
        StringBuilder sb = new StringBuilder("{\"nftables\": [{\"table\": {\"family\": \"inet\", \"name\": \"patchbay\"}}");
        for (String m : NftRenderer.MAPS) {
            sb.append(", {\"map\": {\"name\": \"").append(m).append("\"}}");
        }
        for (String c : NftRenderer.CHAINS) {
            sb.append(", {\"chain\": {\"name\": \"").append(c).append("\"}}");
        }
        sb.append(", {\"chain\": {\"name\": \"user\"}}");
        int h = 1;
        for (String r : NftRenderer.fixedRules()) {
            sb.append(", {\"rule\": {\"chain\": \"").append(NftRenderer.chainOf(r)).append("\", \"handle\": ").append(h++).append("}}");
        }
        for (String e : extra) {
            sb.append(", ").append(e);
        }
        return sb.append("]}").toString();
    }

    @Test
    void wholeNeedsEveryChainMapAndFixedRule() {
        assertEquals(true, NftState.parse(listing()).whole());
        String flushed = listing().replaceAll(", \\{\"rule\": \\{[^}]*\\}\\}", ""); // nft flush table: the rules go, chains and maps stay
        assertEquals(false, NftState.parse(flushed).whole());
        assertEquals(false, NftState.parse(listing().replace(", {\"chain\": {\"name\": \"raw-pre\"}}", "")).whole());
        assertEquals(false, NftState.parse(listing().replace(", {\"map\": {\"name\": \"fwd4\"}}", "")).whole());
        assertEquals(false, NftState.parse("").whole());
    }

    /** Into a table that lacks part of its skeleton: what is left of the fixed rules is deleted and all made again, the forward jumps first. */
    @Test
    void aPartialSkeletonIsPutBackInOrder() {
        NftState s = NftState.parse(listing().replace(", {\"rule\": {\"chain\": \"raw-pre\", \"handle\": 5}}", ""));
        assertEquals(false, s.whole());
        List<String> c = NftRenderer.restoreSkeleton(s.fixed);
        assertEquals(true, c.contains("delete rule inet patchbay ports handle 1"), c.toString());
        assertEquals(false, c.stream().anyMatch(x -> x.contains("raw-pre handle")), "the raw drop is gone: nothing to delete");
        assertEquals(true, c.contains("add rule inet patchbay raw-pre iifname != \"lo\" ip daddr 127.0.0.0/8 drop"), c.toString());
        assertEquals(List.of("insert rule inet patchbay filter-fwd jump isolation", "insert rule inet patchbay filter-fwd jump user"),
                c.subList(c.size() - 2, c.size()), "inserted in reverse: user first, then isolation, then every accept");
        NftPlan p = NftPlan.of(s, network());
        assertEquals(true, p.createsSkeleton);
        assertEquals(true, p.text().startsWith(String.join("\n", c)), p.text());
    }

    /** An owner is held when each chain has as many of its rules as it renders and its elements are all there, no more. */
    @Test
    void anOwnerIsHeldOnlyWhole() {
        String elem = "{\"map\": {\"name\": \"fwd4\", \"elem\": [[{\"elem\": {\"val\": {\"concat\": [\"tcp\", 8080]}, \"comment\": \"att:x\"}},"
                + " {\"concat\": [\"10.0.0.2\", 80]}]]}}";
        Ruleset x = Ruleset.of(RulesetOwner.of("att:x"), new Rule.PortForward(PortMapping.parse("8080:80/tcp"), IpAddresses.parse("t", "10.0.0.2")));
        assertEquals(true, NftState.parse(listing(elem)).holds(x));
        assertEquals(false, NftState.parse(listing()).holds(x), "its element is gone");
        Ruleset moved = Ruleset.of(RulesetOwner.of("att:x"), new Rule.PortForward(PortMapping.parse("8080:80/tcp"), IpAddresses.parse("t", "10.0.0.3")));
        assertEquals(false, NftState.parse(listing(elem)).holds(moved), "another target");
        Ruleset masq = Ruleset.of(RulesetOwner.of("net:a"), new Rule.Masquerade(IpPrefix.parse("10.0.0.0/24"), null));
        assertEquals(false, NftState.parse(listing()).holds(masq));
        assertEquals(true, NftState.parse(listing("{\"rule\": {\"chain\": \"nat-post\", \"handle\": 40, \"comment\": \"net:a\"}}")).holds(masq));
    }

    /** A tunnel's port (raw, local destinations, IPv4): dropped from any address but its peers'; with none, from every one. */
    @Test
    void aTunnelsPortTakesOnlyItsPeersPackets() {
        RulesetOwner o = RulesetOwner.of("overlay:ov");
        assertEquals(List.of("add rule inet patchbay raw-pre ip saddr != { 192.168.78.1, 192.168.78.2 } udp dport 4789 fib daddr type local drop comment \"overlay:ov\""),
                NftRenderer.rules(Ruleset.of(o, new Rule.TunnelPeers(4789, List.of(IpAddresses.parse("t", "192.168.78.1"), IpAddresses.parse("t", "192.168.78.2"))))));
        assertEquals(List.of("add rule inet patchbay raw-pre meta nfproto ipv4 udp dport 8472 fib daddr type local drop comment \"overlay:ov\""),
                NftRenderer.rules(Ruleset.of(o, new Rule.TunnelPeers(8472, List.of()))));
    }
}
