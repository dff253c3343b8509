package dev.patchbay.firewall.iptables;

import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ruleset to iptables-restore lines (pure). Patchbay's chains, by table:
 * <ul>
 * <li>raw (IPv4): {@code PATCHBAY-PREROUTING} drops 127.0.0.0/8 not from lo (localhost-published ports
 *   stay local even with route_localnet on), and a tunnel's packets from any address but its peers';</li>
 * <li>nat: {@code PATCHBAY-DNAT} (from PREROUTING and OUTPUT, local destinations) holds one DNAT per
 *   published port; {@code PATCHBAY-POSTROUTING} returns for multicast first, then holds masquerades;</li>
 * <li>filter: {@code PATCHBAY-FORWARD} (first in FORWARD) jumps to {@code PATCHBAY-USER} (the operator's,
 *   never touched), {@code PATCHBAY-ISOLATION-1} (then {@code -2}) and {@code PATCHBAY-ACCEPT}.</li>
 * </ul>
 * Owners' rules carry {@code -m comment --comment pb:OWNER}; fixed rules {@code --comment patchbay}.
 */
final class IptablesRenderer {
    static final String SKELETON_TAG = "patchbay";
    static final String USER = "PATCHBAY-USER";
    /** An empty chain marking a table Patchbay made (nf_tables variant), deleted with the table once nothing is left in it. */
    static final String MADE = "PATCHBAY-MADE";
    static final List<String> TABLES = List.of("raw", "nat", "filter");

    private IptablesRenderer() {
    }

    static String tag(String owner) {
        return "pb:" + owner;
    }

    /** Patchbay's chains in {@code table}, in creation order. */
    static List<String> chains(String table, Family f) {
        switch (table) {
            case "raw":
                return f == Family.INET ? List.of("PATCHBAY-PREROUTING") : List.of();
            case "nat":
                return List.of("PATCHBAY-DNAT", "PATCHBAY-POSTROUTING");
            default:
                return List.of(USER, "PATCHBAY-ISOLATION-2", "PATCHBAY-ISOLATION-1", "PATCHBAY-ACCEPT", "PATCHBAY-FORWARD");
        }
    }

    /** The fixed rules of {@code table}: jumps from the built-in chains and the chains' own first rules. */
    static List<String> skeleton(String table, Family f) {
        String t = " -m comment --comment " + SKELETON_TAG;
        List<String> c = new ArrayList<>();
        switch (table) {
            case "raw":
                if (f == Family.INET) {
                    c.add("-A PREROUTING" + t + " -j PATCHBAY-PREROUTING");
                    c.add("-A PATCHBAY-PREROUTING -d 127.0.0.0/8 ! -i lo" + t + " -j DROP");
                }
                break;
            case "nat":
                c.add("-A PREROUTING -m addrtype --dst-type LOCAL" + t + " -j PATCHBAY-DNAT");
                c.add("-A OUTPUT -m addrtype --dst-type LOCAL" + t + " -j PATCHBAY-DNAT");
                c.add("-A POSTROUTING" + t + " -j PATCHBAY-POSTROUTING");
                c.add("-A PATCHBAY-POSTROUTING -d " + (f == Family.INET ? "224.0.0.0/4" : "ff00::/8") + t + " -j RETURN");
                break;
            default:
                c.add("-I FORWARD 1" + t + " -j PATCHBAY-FORWARD");
                c.add("-A PATCHBAY-FORWARD" + t + " -j " + USER);
                c.add("-A PATCHBAY-FORWARD" + t + " -j PATCHBAY-ISOLATION-1");
                c.add("-A PATCHBAY-FORWARD" + t + " -j PATCHBAY-ACCEPT");
        }
        return c;
    }

    /**
     * The owner's rules of one family, by table ({@code -A} lines; in {@code PATCHBAY-DNAT}, those that match one destination
     * address are {@code -I} lines at the chain's head, so a port published on every address never takes a VIP's or a host
     * address's connections at the same port, whichever owner came first).
     */
    static Map<String, List<String>> rules(Ruleset rs, Family f) {
        String t = " -m comment --comment " + tag(rs.owner().id());
        Map<String, List<String>> by = new LinkedHashMap<>();
        TABLES.forEach(x -> by.put(x, new ArrayList<>()));
        List<String> nat = by.get("nat");
        List<String> filter = by.get("filter");
        for (Rule r : rs.rules()) {
            if (r instanceof Rule.Masquerade m && m.subnet().family() == f) {
                nat.add("-A PATCHBAY-POSTROUTING -s " + m.subnet() + " ! -d " + m.subnet()
                        + (m.uplink() == null ? "" : " -o " + m.uplink()) + t + " -j MASQUERADE");
            } else if (r instanceof Rule.BridgeForward b) {
                filter.add("-A PATCHBAY-ACCEPT -i " + b.bridge() + t + " -j ACCEPT");
                filter.add("-A PATCHBAY-ACCEPT -o " + b.bridge() + " -m conntrack --ctstate RELATED,ESTABLISHED" + t + " -j ACCEPT");
                filter.add("-A PATCHBAY-ACCEPT -o " + b.bridge() + " -m conntrack --ctstate DNAT" + t + " -j ACCEPT");
                boolean any = false;
                for (IpPrefix s : b.subnets()) {
                    if (s.family() == f) {
                        any = true;
                        nat.add("-A PATCHBAY-POSTROUTING -s " + s + " -o " + b.bridge() + " -m conntrack --ctstate DNAT" + t + " -j MASQUERADE");
                    }
                }
                if (any && f == Family.INET) {
                    nat.add("-A PATCHBAY-POSTROUTING -s 127.0.0.0/8 -o " + b.bridge() + t + " -j MASQUERADE");
                }
            } else if (r instanceof Rule.Isolation i) {
                for (IfName p : i.peers()) { // before this owner's jump and drop: its rules keep their order
                    filter.add("-A PATCHBAY-ISOLATION-1 -i " + i.bridge() + " -o " + p + t + " -j RETURN");
                }
                filter.add("-A PATCHBAY-ISOLATION-1 -i " + i.bridge() + " ! -o " + i.bridge() + t + " -j PATCHBAY-ISOLATION-2");
                for (IfName p : i.peers()) {
                    filter.add("-A PATCHBAY-ISOLATION-2 -i " + p + " -o " + i.bridge() + t + " -j RETURN");
                }
                filter.add("-A PATCHBAY-ISOLATION-2 -o " + i.bridge() + t + " -j DROP");
            } else if (r instanceof Rule.Internal i) {
                filter.add("-A PATCHBAY-ISOLATION-1 -i " + i.bridge() + " ! -o " + i.bridge() + t + " -j DROP");
                filter.add("-A PATCHBAY-ISOLATION-1 ! -i " + i.bridge() + " -o " + i.bridge() + t + " -j DROP");
            } else if (r instanceof Rule.TunnelPeers p && f == Family.INET) { // raw, before conntrack: a stray packet makes no entry
                String udp = " -p udp -m udp --dport " + p.port() + " -m addrtype --dst-type LOCAL";
                p.peers().forEach(a -> by.get("raw").add("-A PATCHBAY-PREROUTING -s " + IpAddresses.format(a) + "/32" + udp + t + " -j RETURN"));
                by.get("raw").add("-A PATCHBAY-PREROUTING" + udp + t + " -j DROP");
            }
        }
        List<Rule.Entry> publishing = new ArrayList<>();
        for (Rule.Balance b : rs.rulesOf(Rule.Balance.class)) {
            List<Rule.Entry> published = rs.entries().stream()
                    .filter(e -> e.target().equals(b.vip()) && e.targetPort() == b.port() && e.protocol() == b.protocol()).toList();
            publishing.addAll(published);
            if (Family.of(b.vip()) == f) {
                nat.addAll(balance(b, published, t));
            }
        }
        for (Rule.Entry e : rs.entries()) {
            if (e.family() != f || publishing.contains(e)) {
                continue; // a service's published port: balanced by its own rules
            }
            String p = e.protocol().label();
            String dst = e.hostIp() == null ? "" : " -d " + IpAddresses.format(e.hostIp()) + (f == Family.INET ? "/32" : "/128");
            String to = f == Family.INET ? IpAddresses.format(e.target()) : "[" + IpAddresses.format(e.target()) + "]";
            nat.add("-A PATCHBAY-DNAT" + dst + " -p " + p + " -m " + p + " --dport " + e.hostPort() + t
                    + " -j DNAT --to-destination " + to + ":" + e.targetPort());
        }
        // one address (a VIP, a host address) wins over every address at the same port: its rules first in the chain, in order
        int at = 1;
        for (int i = 0; i < nat.size(); i++) {
            if (nat.get(i).startsWith("-A PATCHBAY-DNAT -d ")) {
                nat.set(i, "-I PATCHBAY-DNAT " + at++ + nat.get(i).substring("-A PATCHBAY-DNAT".length()));
            }
        }
        return by;
    }

    /**
     * A virtual service in {@code PATCHBAY-DNAT} (its VIP is local), for the VIP and each host port the owner publishes to
     * it (a port forward to the VIP at the service's port: a DNAT to the VIP could not be balanced again, so the published
     * port is balanced itself): one DNAT per backend, each but the last taking every (n-i)th new connection that reaches
     * it ({@code statistic --mode nth}: round-robin) or one in n-i at random, then a masquerade of what went to the VIP.
     * With client affinity, each backend has a {@code recent} list ({@link #affinityList}): the DNAT that picks it adds the
     * client's address, and first in the chain one DNAT per backend takes a client seen there within the timeout (and
     * refreshes it). No backend: no DNAT, and the VIP, where nothing listens, refuses (the filter table's REJECT cannot
     * run in PREROUTING).
     */
    static List<String> balance(Rule.Balance b, List<Rule.Entry> published, String t) {
        boolean v4 = Family.of(b.vip()) == Family.INET;
        String mask = v4 ? "/32" : "/128";
        String p = b.protocol().label();
        List<String> matches = new ArrayList<>();
        matches.add("-d " + IpAddresses.format(b.vip()) + mask + " -p " + p + " -m " + p + " --dport " + b.port());
        for (Rule.Entry e : published) {
            matches.add((e.hostIp() == null ? "" : "-d " + IpAddresses.format(e.hostIp()) + mask + " ") + "-p " + p + " -m " + p
                    + " --dport " + e.hostPort());
        }
        List<String> c = new ArrayList<>();
        int n = b.backends().size();
        for (String match : matches) {
            for (int i = 0; b.affinitySeconds() > 0 && i < n; i++) {
                c.add("-A PATCHBAY-DNAT " + match + " -m recent --update --seconds " + b.affinitySeconds() + " --reap --name "
                        + affinityList(b, b.backends().get(i)) + t + " -j DNAT --to-destination " + to(b.backends().get(i), v4));
            }
            for (int i = 0; i < n; i++) {
                Rule.Balance.Backend be = b.backends().get(i);
                String pick = i == n - 1 ? "" : b.mode() == Rule.Balance.Mode.RANDOM
                        ? " -m statistic --mode random --probability " + String.format(java.util.Locale.ROOT, "%.11f", 1.0 / (n - i))
                        : " -m statistic --mode nth --every " + (n - i) + " --packet 0";
                String remember = b.affinitySeconds() > 0 ? " -m recent --set --name " + affinityList(b, be) : "";
                c.add("-A PATCHBAY-DNAT " + match + pick + remember + t + " -j DNAT --to-destination " + to(be, v4));
            }
        }
        if (n > 0) {
            // no mask: iptables-nft saves it without one, and a /32 given on -A does not match its saved form on -D
            c.add("-A PATCHBAY-POSTROUTING -m conntrack --ctstate DNAT --ctorigdst " + IpAddresses.format(b.vip()) + t + " -j MASQUERADE");
        }
        return c;
    }

    private static String to(Rule.Balance.Backend be, boolean v4) {
        return (v4 ? IpAddresses.format(be.address()) : "[" + IpAddresses.format(be.address()) + "]") + ":" + be.port();
    }

    /**
     * The {@code recent} list of one backend of a service with affinity: the clients that last reached it, named by the
     * VIP, port and backend (a list lives while a rule names it, so a backend kept across a change keeps its clients).
     */
    static String affinityList(Rule.Balance b, Rule.Balance.Backend be) {
        return "pb-" + IpAddresses.format(b.vip()) + "-" + b.port() + b.protocol().label() + "-" + IpAddresses.format(be.address()) + "-" + be.port();
    }

    /** What apply sends into a namespace where Patchbay has nothing yet, for one family. */
    static String render(Ruleset rs, Family f) {
        StringBuilder sb = new StringBuilder();
        Map<String, List<String>> rules = rules(rs, f);
        for (String table : TABLES) {
            if (chains(table, f).isEmpty()) {
                continue;
            }
            sb.append('*').append(table).append('\n');
            chains(table, f).forEach(ch -> sb.append(':').append(ch).append(" - [0:0]\n"));
            skeleton(table, f).forEach(l -> sb.append(l).append('\n'));
            rules.get(table).forEach(l -> sb.append(l).append('\n'));
            sb.append("COMMIT\n");
        }
        return sb.toString();
    }

    /** Both families, as two restore inputs, each under a header naming its command. */
    static String render(Ruleset rs) {
        return "# iptables-restore --noflush\n" + render(rs, Family.INET) + "# ip6tables-restore --noflush\n" + render(rs, Family.INET6);
    }
}
