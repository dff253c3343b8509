package dev.patchbay.services;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.Protocol;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.PortMapping;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A service as recorded (and printed by {@code -o json}): its VIP on {@code network} of host namespace {@code host} (as
 * {@code -n} names it; empty: the current one), on a dual-stack network its IPv6 VIP {@code vip6} too (else null), the
 * port, how it balances, and its backends, each a container attached to the network by {@code netns} name (its
 * attachment's id {@code container}), at the addresses of that attachment; {@code affinity}: the seconds a client keeps
 * its backend after its last new connection (0: none); {@code publish}: the host ports ({@code [IP:]HOSTPORT}) that
 * reach it from outside the host.
 */
public record ServiceRecord(String name, String network, String host, String vip, int port, String protocol, String balance,
                            List<Backend> backends, String health, int affinity, List<String> publish, String vip6) {
    static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}");
    static final String ROUND_ROBIN = "round-robin";
    static final String RANDOM = "random";
    /** {@code --health}: a TCP connect to each backend by the daemon ({@link ServiceHealth}), or none. */
    static final String TCP = "tcp";
    static final String NONE = "none";

    /**
     * One backend: the container's namespace name, its address on the network, the port it serves on; {@code down} while
     * its health check fails (it then gets no new connection).
     */
    public record Backend(String netns, String container, String address, int port, boolean down, String address6) {
        public Backend(String netns, String container, String address, int port) {
            this(netns, container, address, port, false, null);
        }

        Backend withDown(boolean now) {
            return new Backend(netns, container, address, port, now, address6);
        }

        @Override
        public String toString() {
            return netns + ":" + port;
        }
    }

    public ServiceRecord {
        backends = List.copyOf(backends);
        health = health == null ? NONE : health;
        publish = publish == null ? List.of() : List.copyOf(publish);
    }

    public ServiceRecord(String name, String network, String host, String vip, int port, String protocol, String balance,
                         List<Backend> backends) {
        this(name, network, host, vip, port, protocol, balance, backends, NONE, 0, List.of(), null);
    }

    /** {@code --affinity SECONDS}: 0 (none, the default) to a day. */
    static int checkAffinity(Integer seconds) {
        if (seconds != null && (seconds < 0 || seconds > 86400)) {
            throw new InvalidInputException("--affinity", seconds, "expected seconds from 0 (no affinity) to 86400");
        }
        return seconds == null ? 0 : seconds;
    }

    /** {@code --publish [IP:]HOSTPORT} as a mapping to the service's port: checked, IPv6 host addresses in brackets. */
    static PortMapping mapping(String publish, int port, String protocol) {
        PortMapping m;
        try {
            m = PortMapping.parse(publish + ":" + port + "/" + protocol);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("--publish", publish, "expected [IP:]HOSTPORT, e.g. 8080 or 192.0.2.1:8080 or [2001:db8::1]:8080");
        }
        if (m.hostPorts().size() != 1) {
            throw new InvalidInputException("--publish", publish, "expected one host port, not a range");
        }
        return m;
    }

    /** {@code tcp} or {@code none}. */
    static String checkHealth(String text) {
        String h = text == null ? NONE : text.toLowerCase(Locale.ROOT);
        if (!h.equals(TCP) && !h.equals(NONE)) {
            throw new InvalidInputException("--health", text, "expected tcp or none");
        }
        return h;
    }

    static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidInputException("service name", name, "must be 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        return name;
    }

    /** {@code round-robin} or {@code random}. */
    static String checkBalance(String text) {
        String b = text == null ? ROUND_ROBIN : text.toLowerCase(Locale.ROOT);
        if (!b.equals(ROUND_ROBIN) && !b.equals(RANDOM)) {
            throw new InvalidInputException("--balance", text, "expected round-robin or random");
        }
        return b;
    }

    ServiceRecord withBackends(List<Backend> now) {
        return new ServiceRecord(name, network, host, vip, port, protocol, balance, now, health, affinity, publish, vip6);
    }

    /** The firewall owner of its rules: {@code svc:NAME}. */
    RulesetOwner owner() {
        return owner(name);
    }

    /** How {@code -n} names {@code ref}: a name, a path, pid:N, or empty for the current namespace. */
    static String host(dev.patchbay.core.model.NetnsRef ref) {
        if (ref instanceof dev.patchbay.core.model.NetnsRef.Named n) {
            return n.name();
        }
        if (ref instanceof dev.patchbay.core.model.NetnsRef.OfPid p) {
            return "pid:" + p.pid();
        }
        return ref instanceof dev.patchbay.core.model.NetnsRef.AtPath a ? a.path().toString() : "";
    }

    static RulesetOwner owner(String name) {
        return RulesetOwner.of("svc:" + name);
    }

    /**
     * Its rules: one {@link Rule.Balance} per VIP over the backends that are not down (those with an address of its
     * family), and for each published host port a {@link Rule.PortForward} to the VIP of each family it covers (the
     * firewall backends balance such a port as the VIP).
     */
    Ruleset ruleset() {
        List<Rule> rules = new ArrayList<>();
        List<String> vips = vip6 == null ? List.of(vip) : List.of(vip, vip6);
        for (String v : vips) {
            boolean v4 = v.equals(vip);
            List<Rule.Balance.Backend> bs = backends.stream().filter(b -> !b.down() && (v4 ? b.address() : b.address6()) != null)
                    .map(b -> new Rule.Balance.Backend(IpAddresses.parse("backend", v4 ? b.address() : b.address6()), b.port())).toList();
            InetAddress at = IpAddresses.parse("vip", v);
            rules.add(new Rule.Balance(at, Protocol.parse(protocol), port, bs,
                    balance.equals(RANDOM) ? Rule.Balance.Mode.RANDOM : Rule.Balance.Mode.ROUND_ROBIN, affinity));
            for (String p : publish) {
                PortMapping m = mapping(p, port, protocol);
                if (m.hostIp() == null || Family.of(m.hostIp()) == Family.of(at)) {
                    rules.add(new Rule.PortForward(m, at));
                }
            }
        }
        return new Ruleset(owner(), rules);
    }
}
