package dev.patchbay.firewall.nftables;

import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ruleset to nft commands (pure). Layout of the one table Patchbay owns, {@code inet patchbay}:
 * <ul>
 * <li>maps {@code fwd4}/{@code fwd6} ({@code proto . port : addr . port}) and {@code fwd4ip}/{@code fwd6ip}
 *   ({@code hostaddr . proto . port : addr . port}): the published ports, one element each, so adding
 *   or removing one costs the same at any scale;</li>
 * <li>chain {@code ports}, reached from {@code nat-pre} (prerouting) and {@code nat-out} (output) for
 *   local destinations, looks the maps up;</li>
 * <li>{@code nat-post} (postrouting) holds masquerade rules; {@code filter-fwd} (forward) jumps to
 *   {@code user} (the operator's, never touched), then {@code isolation}, then holds forward accepts;</li>
 * <li>{@code raw-pre} drops packets for 127.0.0.0/8 that did not come from lo, so ports published on
 *   localhost are never reachable from neighbours even with route_localnet on; and a tunnel's packets (its UDP port
 *   on the host) from any address but its peers'.</li>
 * </ul>
 * Every rule and element carries its owner as comment.
 */
final class NftRenderer {
    static final String FAMILY = "inet";
    static final String TABLE = "patchbay";
    static final String T = FAMILY + " " + TABLE;
    static final String USER_CHAIN = "user";
    /** Chains that hold owners' rules, besides maps. */
    static final List<String> BASE_CHAINS = List.of("raw-pre", "nat-pre", "nat-out", "nat-post", "filter-fwd");
    static final List<String> CHAINS = List.of("ports", "isolation", "isolation2", "raw-pre", "nat-pre", "nat-out", "nat-post", "filter-fwd");
    static final List<String> MAPS = List.of("fwd4", "fwd4ip", "fwd6", "fwd6ip");

    private NftRenderer() {
    }

    /** An element of one of the forward maps. {@code key}/{@code value} in nft syntax. */
    record Element(String map, String key, String value, String owner) {
        String add() {
            return key + " comment \"" + owner + "\" : " + value;
        }
    }

    /** The table, its maps and chains, and their fixed rules. */
    static List<String> skeleton() {
        List<String> c = new ArrayList<>();
        c.add("add table " + T);
        c.add("add map " + T + " fwd4 { type inet_proto . inet_service : ipv4_addr . inet_service; }");
        c.add("add map " + T + " fwd4ip { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }");
        c.add("add map " + T + " fwd6 { type inet_proto . inet_service : ipv6_addr . inet_service; }");
        c.add("add map " + T + " fwd6ip { type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service; }");
        c.add("add chain " + T + " " + USER_CHAIN);
        c.add("add chain " + T + " ports");
        c.add("add rule " + T + " ports meta nfproto ipv4 dnat ip to ip daddr . meta l4proto . th dport map @fwd4ip");
        c.add("add rule " + T + " ports meta nfproto ipv4 dnat ip to meta l4proto . th dport map @fwd4");
        c.add("add rule " + T + " ports meta nfproto ipv6 dnat ip6 to ip6 daddr . meta l4proto . th dport map @fwd6ip");
        c.add("add rule " + T + " ports meta nfproto ipv6 dnat ip6 to meta l4proto . th dport map @fwd6");
        c.add("add chain " + T + " isolation");
        c.add("add chain " + T + " isolation2");
        c.add("add chain " + T + " raw-pre { type filter hook prerouting priority raw; policy accept; }");
        c.add("add rule " + T + " raw-pre iifname != \"lo\" ip daddr 127.0.0.0/8 drop");
        c.add("add chain " + T + " nat-pre { type nat hook prerouting priority dstnat; policy accept; }");
        c.add("add rule " + T + " nat-pre fib daddr type local jump ports");
        c.add("add chain " + T + " nat-out { type nat hook output priority -100; policy accept; }");
        c.add("add rule " + T + " nat-out fib daddr type local jump ports");
        c.add("add chain " + T + " nat-post { type nat hook postrouting priority srcnat; policy accept; }");
        c.add("add chain " + T + " filter-fwd { type filter hook forward priority filter; policy accept; }");
        c.add("add rule " + T + " filter-fwd jump " + USER_CHAIN);
        c.add("add rule " + T + " filter-fwd jump isolation");
        return c;
    }

    /** The skeleton's fixed rules ({@code add rule} commands without an owner). */
    static List<String> fixedRules() {
        return skeleton().stream().filter(c -> c.startsWith("add rule ")).toList();
    }

    /** The chain an {@code add rule inet patchbay CHAIN ...} or {@code insert rule ...} command names. */
    static String chainOf(String rule) {
        String rest = rule.substring(rule.indexOf(T) + T.length() + 1);
        return rest.substring(0, rest.indexOf(' '));
    }

    /**
     * Puts back the skeleton in a table that exists but lacks part of it (someone flushed a chain or the table, deleted
     * a chain or a rule): the table, maps and chains are added (a no-op for those that exist), the fixed rules left are
     * deleted ({@code fixed}: their handles by chain) and made again, the forward chain's jumps first in it.
     */
    static List<String> restoreSkeleton(Map<String, List<Long>> fixed) {
        List<String> c = new ArrayList<>();
        skeleton().stream().filter(x -> !x.startsWith("add rule ")).forEach(c::add);
        fixed.forEach((chain, handles) -> handles.forEach(h -> c.add("delete rule " + T + " " + chain + " handle " + h)));
        List<String> first = new ArrayList<>();
        for (String r : fixedRules()) {
            if (chainOf(r).equals("filter-fwd")) {
                first.add(0, "insert" + r.substring(3)); // inserted in reverse: they end up in order, before every accept
            } else {
                c.add(r);
            }
        }
        c.addAll(first);
        return c;
    }

    /** The owner's rules, as {@code add rule} commands, each tagged with the owner. */
    static List<String> rules(Ruleset rs) {
        String tag = " comment \"" + rs.owner().id() + "\"";
        List<String> c = new ArrayList<>();
        int services = 0;
        for (Rule r : rs.rules()) {
            if (r instanceof Rule.Masquerade m) {
                String ip = ip(m.subnet().family());
                String multicast = m.subnet().isV4() ? "224.0.0.0/4" : "ff00::/8";
                c.add("add rule " + T + " nat-post " + ip + " saddr " + m.subnet() + " " + ip + " daddr != " + m.subnet()
                        + " " + ip + " daddr != " + multicast + (m.uplink() == null ? "" : " oifname " + q(m.uplink()))
                        + " masquerade" + tag);
            } else if (r instanceof Rule.BridgeForward b) {
                String br = q(b.bridge());
                c.add("add rule " + T + " filter-fwd iifname " + br + " accept" + tag);
                c.add("add rule " + T + " filter-fwd oifname " + br + " ct state established,related accept" + tag);
                c.add("add rule " + T + " filter-fwd oifname " + br + " ct status dnat accept" + tag);
                boolean v4 = false;
                for (IpPrefix s : b.subnets()) {
                    v4 |= s.isV4();
                    c.add("add rule " + T + " nat-post oifname " + br + " ct status dnat " + ip(s.family()) + " saddr " + s + " masquerade" + tag);
                }
                if (v4) {
                    c.add("add rule " + T + " nat-post oifname " + br + " ip saddr 127.0.0.0/8 masquerade" + tag);
                }
            } else if (r instanceof Rule.Isolation i) {
                String br = q(i.bridge());
                for (IfName p : i.peers()) { // before this owner's jump and drop: its rules keep their order
                    c.add("add rule " + T + " isolation iifname " + br + " oifname " + q(p) + " return" + tag);
                }
                c.add("add rule " + T + " isolation iifname " + br + " oifname != " + br + " jump isolation2" + tag);
                for (IfName p : i.peers()) {
                    c.add("add rule " + T + " isolation2 iifname " + q(p) + " oifname " + br + " return" + tag);
                }
                c.add("add rule " + T + " isolation2 oifname " + br + " drop" + tag);
            } else if (r instanceof Rule.Internal i) {
                String br = q(i.bridge());
                c.add("add rule " + T + " isolation iifname " + br + " oifname != " + br + " drop" + tag);
                c.add("add rule " + T + " isolation oifname " + br + " iifname != " + br + " drop" + tag);
            } else if (r instanceof Rule.Balance b) {
                c.addAll(NftBalance.rules(rs, b, services++, tag));
            } else if (r instanceof Rule.TunnelPeers t) { // before conntrack (raw): a stray packet never makes an entry
                String from = t.peers().isEmpty() ? "meta nfproto ipv4"
                        : "ip saddr != { " + String.join(", ", t.peers().stream().map(IpAddresses::format).toList()) + " }";
                c.add("add rule " + T + " raw-pre " + from + " udp dport " + t.port() + " fib daddr type local drop" + tag);
            }
        }
        return c;
    }

    /** The owner's published ports as map elements, in order. */
    static List<Element> elements(Ruleset rs) {
        List<Element> out = new ArrayList<>();
        for (Rule.Entry e : rs.entries()) {
            if (NftBalance.publishes(rs, e)) {
                continue; // a service's published port: its own rules
            }
            boolean v4 = e.family() == Family.INET;
            String proto = e.protocol().label() + " . " + e.hostPort();
            String map = (v4 ? "fwd4" : "fwd6") + (e.hostIp() == null ? "" : "ip");
            String key = e.hostIp() == null ? proto : IpAddresses.format(e.hostIp()) + " . " + proto;
            out.add(new Element(map, key, IpAddresses.format(e.target()) + " . " + e.targetPort(), rs.owner().id()));
        }
        out.addAll(NftBalance.elements(rs));
        return out;
    }

    /** {@code add element} commands, one per map. */
    static List<String> addElements(Collection<Element> elements) {
        List<String> c = new ArrayList<>();
        for (Map.Entry<String, List<Element>> m : byMap(elements).entrySet()) {
            StringBuilder sb = new StringBuilder("add element " + T + " " + m.getKey() + " { ");
            String sep = "";
            for (Element e : m.getValue()) {
                sb.append(sep).append(e.add());
                sep = ", ";
            }
            c.add(sb.append(" }").toString());
        }
        return c;
    }

    /** {@code delete element} commands, one per map. */
    static List<String> deleteElements(Collection<Element> elements) {
        List<String> c = new ArrayList<>();
        for (Map.Entry<String, List<Element>> m : byMap(elements).entrySet()) {
            StringBuilder sb = new StringBuilder("delete element " + T + " " + m.getKey() + " { ");
            String sep = "";
            for (Element e : m.getValue()) {
                sb.append(sep).append(e.key());
                sep = ", ";
            }
            c.add(sb.append(" }").toString());
        }
        return c;
    }

    private static Map<String, List<Element>> byMap(Collection<Element> elements) {
        Map<String, List<Element>> by = new LinkedHashMap<>();
        for (Element e : elements) {
            by.computeIfAbsent(e.map(), k -> new ArrayList<>()).add(e);
        }
        return by;
    }

    /** Removes what Patchbay created; with {@code keepUser}, the table and the user chain stay. */
    static List<String> teardown(boolean keepUser, Collection<String> chains, Collection<String> maps) {
        if (!keepUser) {
            return List.of("delete table " + T);
        }
        List<String> c = new ArrayList<>();
        for (String ch : CHAINS) {
            if (chains.contains(ch)) {
                c.add("flush chain " + T + " " + ch);
            }
        }
        for (String ch : CHAINS) {
            if (chains.contains(ch)) {
                c.add("delete chain " + T + " " + ch);
            }
        }
        if (chains.contains(NftBalance.AFFINITY_CHAIN)) {
            c.add("flush chain " + T + " " + NftBalance.AFFINITY_CHAIN);
            c.add("delete chain " + T + " " + NftBalance.AFFINITY_CHAIN);
        }
        for (String m : MAPS) {
            if (maps.contains(m)) {
                c.add("delete map " + T + " " + m);
            }
        }
        return c;
    }

    /** What apply sends into an empty namespace. */
    static String render(Ruleset rs) {
        List<String> c = new ArrayList<>(skeleton());
        c.addAll(NftBalance.objects(rs));
        c.addAll(rules(rs));
        c.addAll(addElements(elements(rs)));
        return String.join("\n", c) + "\n";
    }

    private static String ip(Family f) {
        return f == Family.INET ? "ip" : "ip6";
    }

    private static String q(IfName n) {
        return "\"" + n.value() + "\"";
    }
}
