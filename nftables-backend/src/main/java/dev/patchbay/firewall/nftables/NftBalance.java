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
 * and match that looks {@code numgen inc} (round-robin) or {@code numgen random} up in the service's backends' map
 * ({@link #backendMap}: one element per backend, changed element by element); what was sent to a backend through the VIP is masqueraded (a backend reaching its own service
 * gets its answers back through the host; under bridge netfilter its bridge port must be a hairpin one, which the
 * service sees to). No backend: a reject, TCP reset or ICMP port unreachable.
 * <p>
 * The matches: the VIP and port, and each host port the owner publishes to the VIP (a {@link Rule.PortForward} whose
 * target is the VIP and whose container port is the service's: a DNAT to the VIP could not be balanced again, as the
 * kernel NATs a connection once per hook, so a published port is balanced itself; no host address: any local one).
 * A match of one address (the VIP, a host address) is inserted at the head of its chain, before the jump to the published
 * ports' maps: a container's port published on every address ({@code *:PORT}) must not take the VIP's (a local address)
 * connections at the same port. A match of any local address is added after it, as the wildcard it is.
 * <p>
 * Client affinity ({@code affinitySeconds} &gt; 0): two dynamic maps per service ({@code aff<i>-<owner>} and
 * {@code aff<i>p-<owner>}, client address to backend address and to backend port, each element timing out that many
 * seconds after the client's last new connection) are looked up first; the chain {@code affinity} (filter, postrouting, just before source NAT, so the earlier masquerades cannot end
 * its walk) remembers each new connection's backend in it. The map is made afresh with each apply (a changed backend list
 * forgets the remembered choices: none points at a backend gone) and deleted with the owner's rules.
 */
final class NftBalance {
    static final String AFFINITY_CHAIN = "affinity";
    /** The first part of the name of a map a service owns: its backends' ({@code lb<i>}) or its affinity maps'. */
    private static final Pattern OWNED = Pattern.compile("lb[0-9]+|aff[0-9]+p?");

    private NftBalance() {
    }

    /**
     * An affinity map of the {@code index}-th service of {@code owner}, of the backends' addresses or ({@code port}) their
     * ports: the owner's id escaped into nft's name alphabet. Two maps, not one of address . port: nft 1.0.6 cannot build
     * the update of an IPv6 address . port value (an assertion aborts it).
     */
    static String affinityMap(String owner, int index, boolean port) {
        return "aff" + index + (port ? "p" : "") + "-" + escape(owner);
    }

    /**
     * The backends' map of the {@code index}-th service of {@code owner}: slot to backend address and port, the slots
     * {@code 0..n-1} that {@code numgen ... mod n} picks from; kept across applies, one element added or deleted per backend
     * more or less ({@link #keepSlots}), so a change costs the same with 100 backends as with 1.
     */
    static String backendMap(String owner, int index) {
        return "lb" + index + "-" + escape(owner);
    }

    static boolean isBackendMap(String map) {
        return map.startsWith("lb") && ownedPrefix(map);
    }

    private static boolean ownedPrefix(String map) {
        int dash = map.indexOf('-');
        return dash > 0 && OWNED.matcher(map.substring(0, dash)).matches();
    }

    private static String escape(String owner) {
        StringBuilder sb = new StringBuilder();
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

    /** Whether {@code map} is one of {@code owner}'s maps (backends or affinity). */
    static boolean ownedBy(String map, String owner) {
        return ownedPrefix(map) && map.substring(map.indexOf('-') + 1).equals(escape(owner));
    }

    /** {@code delete map} for {@code owner}'s maps among {@code maps} but those {@code kept}. */
    static List<String> deleteMaps(String owner, Collection<String> maps, Collection<String> kept) {
        return maps.stream().filter(m -> ownedBy(m, owner) && !kept.contains(m)).sorted().map(m -> "delete map " + NftRenderer.T + " " + m).toList();
    }

    /** The names of the maps {@link #objects} makes. */
    static List<String> names(List<String> objects) {
        return objects.stream().filter(o -> o.startsWith("add map ")).map(o -> o.substring(("add map " + NftRenderer.T + " ").length()).split(" ")[0]).toList();
    }

    /** The backends' maps' elements: slot i to backend i. */
    static List<NftRenderer.Element> elements(Ruleset rs) {
        List<NftRenderer.Element> out = new ArrayList<>();
        List<Rule.Balance> all = rs.rulesOf(Rule.Balance.class);
        for (int i = 0; i < all.size(); i++) {
            List<Rule.Balance.Backend> bs = all.get(i).backends();
            for (int slot = 0; slot < bs.size(); slot++) {
                out.add(new NftRenderer.Element(backendMap(rs.owner().id(), i), Integer.toString(slot),
                        IpAddresses.format(bs.get(slot).address()) + " . " + bs.get(slot).port(), rs.owner().id()));
            }
        }
        return out;
    }

    /**
     * {@code want} with each backends' map's slots given as {@code held} has them where it can: a backend that stays keeps
     * its slot (if still below the count), the others take the free slots. One backend more is one element added; one
     * less, at most the last slot's backend moved into its slot: a constant number of element changes, whatever the count.
     */
    static List<NftRenderer.Element> keepSlots(List<NftRenderer.Element> want, List<NftRenderer.Element> held) {
        java.util.Map<String, List<NftRenderer.Element>> byMap = new java.util.LinkedHashMap<>();
        List<NftRenderer.Element> out = new ArrayList<>();
        for (NftRenderer.Element e : want) {
            if (isBackendMap(e.map())) {
                byMap.computeIfAbsent(e.map(), k -> new ArrayList<>()).add(e);
            } else {
                out.add(e);
            }
        }
        for (java.util.Map.Entry<String, List<NftRenderer.Element>> m : byMap.entrySet()) {
            int n = m.getValue().size();
            List<String> left = new ArrayList<>(m.getValue().stream().map(NftRenderer.Element::value).toList());
            String[] slots = new String[n];
            for (NftRenderer.Element h : held) {
                int slot = h.map().equals(m.getKey()) ? Integer.parseInt(h.key()) : n;
                if (slot < n && slots[slot] == null && left.remove(h.value())) {
                    slots[slot] = h.value();
                }
            }
            for (int slot = 0; slot < n; slot++) {
                if (slots[slot] == null) {
                    slots[slot] = left.remove(0);
                }
                out.add(new NftRenderer.Element(m.getKey(), Integer.toString(slot), slots[slot], m.getValue().get(0).owner()));
            }
        }
        return out;
    }

    /**
     * What the owner's rules need made before them: each service's backends' map (kept when it exists), the affinity chain
     * (once) and two fresh maps per service with affinity.
     */
    static List<String> objects(Ruleset rs) {
        List<String> c = new ArrayList<>();
        List<Rule.Balance> all = rs.rulesOf(Rule.Balance.class);
        boolean chain = false;
        for (int i = 0; i < all.size(); i++) {
            Rule.Balance b = all.get(i);
            String ip = Family.of(b.vip()) == Family.INET ? "ip" : "ip6";
            if (!b.backends().isEmpty()) {
                c.add("add map " + NftRenderer.T + " " + backendMap(rs.owner().id(), i) + " { typeof numgen inc mod 1 : " + ip + " daddr . "
                        + b.protocol().label() + " dport; }");
            }
            if (b.affinitySeconds() > 0 && !b.backends().isEmpty()) {
                if (!chain) {
                    chain = true;
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
            for (int i = 0; i < b.backends().size(); i++) {
                Rule.Balance.Backend be = b.backends().get(i);
                backends.append(i == 0 ? "" : ", ").append(IpAddresses.format(be.address())).append(" . ").append(be.port());
            }
            if (affinity) {
                verdicts.add("dnat " + ip + " to " + ip + " saddr map @" + map + " : " + ip + " saddr map @" + ports);
            }
            verdicts.add("dnat " + ip + " to numgen " + (b.mode() == Rule.Balance.Mode.RANDOM ? "random" : "inc") + " mod "
                    + b.backends().size() + " map @" + backendMap(rs.owner().id(), index));
        }
        List<String> c = new ArrayList<>();
        for (String chain : List.of("nat-pre", "nat-out")) {
            List<String> first = new ArrayList<>();
            for (String match : matches) {
                for (String verdict : verdicts) {
                    String rule = NftRenderer.T + " " + chain + " " + match + " " + verdict + tag;
                    if (match.contains("fib daddr type local")) {
                        c.add("add rule " + rule); // any local address: after the published ports' jump, as a wildcard port
                    } else {
                        first.add(0, "insert rule " + rule); // inserted in reverse: in order, before the published ports' jump
                    }
                }
            }
            c.addAll(first);
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
