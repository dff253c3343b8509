package dev.patchbay.firewall.nftables;

import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.Protocol;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Virtual services ({@link Rule.Balance}) for nftables (pure). In {@code nat-pre} and {@code nat-out}, one rule per hook
 * and match whose anonymous map holds one element per backend, keyed by {@code numgen inc} (round-robin) or
 * {@code numgen random}; what was sent to a backend through the VIP is masqueraded (a backend reaching its own service
 * gets its answers back through the host; under bridge netfilter its bridge port must be a hairpin one, which the
 * service sees to). No backend: a reject, TCP reset or ICMP port unreachable.
 * <p>
 * The matches: the VIP and port, and each host port the owner publishes to the VIP (a {@link Rule.PortForward} whose
 * target is the VIP and whose container port is the service's: a DNAT to the VIP could not be balanced again, as the
 * kernel NATs a connection once per hook, so a published port is balanced itself; no host address: any local one).
 * <p>
 * Client affinity ({@code affinitySeconds} &gt; 0): two dynamic maps per service ({@code aff<i>-<owner>} and
 * {@code aff<i>p-<owner>}, client address to backend address and to backend port, each element timing out that many
 * seconds after the client's last new connection) are looked up first; the chain {@code affinity} (filter, postrouting, just before source NAT, so the earlier masquerades cannot end
 * its walk) remembers each new connection's backend in it. The map is made afresh with each apply (a changed backend list
 * forgets the remembered choices: none points at a backend gone) and deleted with the owner's rules.
 */
final class NftBalance {
    static final String AFFINITY_CHAIN = "affinity";
    private static final Pattern AFFINITY_MAP = Pattern.compile("aff[0-9]+p?-.+");

    private NftBalance() {
    }

    /**
     * An affinity map of the {@code index}-th service of {@code owner}, of the backends' addresses or ({@code port}) their
     * ports: the owner's id escaped into nft's name alphabet. Two maps, not one of address . port: nft 1.0.6 cannot build
     * the update of an IPv6 address . port value (an assertion aborts it).
     */
    static String affinityMap(String owner, int index, boolean port) {
        StringBuilder sb = new StringBuilder("aff").append(index).append(port ? "p" : "").append('-');
        for (char ch : owner.toCharArray()) {
            switch (ch) {
                case '_' -> sb.append("__");
                case ':' -> sb.append("_c");
                case '@' -> sb.append("_a");
                case '+' -> sb.append("_p");
                default -> sb.append(ch);
            }
        }
        return sb.toString();
    }

    static boolean isAffinityMap(String map) {
        return AFFINITY_MAP.matcher(map).matches();
    }

    /** Whether {@code map} is one of {@code owner}'s affinity maps. */
    static boolean ownedBy(String map, String owner) {
        if (!isAffinityMap(map)) {
            return false;
        }
        int dash = map.indexOf('-');
        boolean port = map.charAt(dash - 1) == 'p';
        return map.equals(affinityMap(owner, Integer.parseInt(map.substring(3, port ? dash - 1 : dash)), port));
    }

    /** {@code delete map} for {@code owner}'s affinity maps among {@code maps}. */
    static List<String> deleteMaps(String owner, Collection<String> maps) {
        return maps.stream().filter(m -> ownedBy(m, owner)).sorted().map(m -> "delete map " + NftRenderer.T + " " + m).toList();
    }

    /** What the owner's rules need made before them: the affinity chain (once) and one fresh map per service with affinity. */
    static List<String> objects(Ruleset rs) {
        List<String> c = new ArrayList<>();
        List<Rule.Balance> all = rs.rulesOf(Rule.Balance.class);
        for (int i = 0; i < all.size(); i++) {
            Rule.Balance b = all.get(i);
            if (b.affinitySeconds() > 0 && !b.backends().isEmpty()) {
                if (c.isEmpty()) {
                    c.add("add chain " + NftRenderer.T + " " + AFFINITY_CHAIN + " { type filter hook postrouting priority 99; policy accept; }");
                }
                String type = Family.of(b.vip()) == Family.INET ? "ipv4_addr" : "ipv6_addr";
                for (boolean port : new boolean[] {false, true}) {
                    c.add("add map " + NftRenderer.T + " " + affinityMap(rs.owner().id(), i, port) + " { type " + type + " : "
                            + (port ? "inet_service" : type) + "; flags dynamic,timeout; timeout " + b.affinitySeconds() + "s; }");
                }
            }
        }
        return c;
    }

    /** The owner's port forwards that publish {@code b}: to its VIP, at its port and protocol. */
    static List<Rule.Entry> published(Ruleset rs, Rule.Balance b) {
        return rs.entries().stream().filter(e -> e.target().equals(b.vip()) && e.targetPort() == b.port() && e.protocol() == b.protocol()).toList();
    }

    /** Whether {@code e} publishes one of the owner's services (rendered by {@link #rules}, not as a forward map element). */
    static boolean publishes(Ruleset rs, Rule.Entry e) {
        return rs.rulesOf(Rule.Balance.class).stream().anyMatch(b -> published(rs, b).contains(e));
    }

    /** The {@code index}-th service of the owner, as rules tagged {@code tag}. */
    static List<String> rules(Ruleset rs, Rule.Balance b, int index, String tag) {
        String ip = Family.of(b.vip()) == Family.INET ? "ip" : "ip6";
        String proto = b.protocol().label();
        List<String> matches = new ArrayList<>();
        matches.add(ip + " daddr " + IpAddresses.format(b.vip()) + " " + proto + " dport " + b.port());
        for (Rule.Entry e : published(rs, b)) {
            matches.add((e.hostIp() == null ? "meta nfproto " + (ip.equals("ip") ? "ipv4" : "ipv6") + " fib daddr type local"
                    : ip + " daddr " + IpAddresses.format(e.hostIp())) + " " + proto + " dport " + e.hostPort());
        }
        List<String> verdicts = new ArrayList<>();
        String map = affinityMap(rs.owner().id(), index, false);
        String ports = affinityMap(rs.owner().id(), index, true);
        boolean affinity = b.affinitySeconds() > 0 && !b.backends().isEmpty();
        StringBuilder backends = new StringBuilder();
        if (b.backends().isEmpty()) {
            verdicts.add(b.protocol() == Protocol.TCP ? "reject with tcp reset" : "reject");
        } else {
            StringBuilder m = new StringBuilder();
            for (int i = 0; i < b.backends().size(); i++) {
                Rule.Balance.Backend be = b.backends().get(i);
                String to = IpAddresses.format(be.address()) + " . " + be.port();
                m.append(i == 0 ? "" : ", ").append(i).append(" : ").append(to);
                backends.append(i == 0 ? "" : ", ").append(to);
            }
            if (affinity) {
                verdicts.add("dnat " + ip + " to " + ip + " saddr map @" + map + " : " + ip + " saddr map @" + ports);
            }
            verdicts.add("dnat " + ip + " to numgen " + (b.mode() == Rule.Balance.Mode.RANDOM ? "random" : "inc") + " mod "
                    + b.backends().size() + " map { " + m + " }");
        }
        List<String> c = new ArrayList<>();
        for (String chain : List.of("nat-pre", "nat-out")) {
            for (String match : matches) {
                for (String verdict : verdicts) {
                    c.add("add rule " + NftRenderer.T + " " + chain + " " + match + " " + verdict + tag);
                }
            }
        }
        if (!b.backends().isEmpty()) {
            c.add("add rule " + NftRenderer.T + " nat-post ct original " + ip + " daddr " + IpAddresses.format(b.vip())
                    + " ct status dnat masquerade" + tag);
        }
        if (affinity) {
            c.add("add rule " + NftRenderer.T + " " + AFFINITY_CHAIN + " ct state new ct status dnat meta l4proto " + proto + " " + ip
                    + " daddr . th dport { " + backends + " } update @" + map + " { " + ip + " saddr : " + ip + " daddr } update @" + ports
                    + " { " + ip + " saddr : th dport }" + tag);
        }
        return c;
    }
}
