package dev.patchbay.services;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.Protocol;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A service as recorded (and printed by {@code -o json}): its VIP on {@code network} of host namespace {@code host} (as
 * {@code -n} names it; empty: the current one), the port, how it balances, and its backends, each a container attached
 * to the network by {@code netns} name (its attachment's id {@code container}), at the address of that attachment.
 */
public record ServiceRecord(String name, String network, String host, String vip, int port, String protocol, String balance,
                            List<Backend> backends, String health) {
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
    public record Backend(String netns, String container, String address, int port, boolean down) {
        public Backend(String netns, String container, String address, int port) {
            this(netns, container, address, port, false);
        }

        Backend withDown(boolean now) {
            return new Backend(netns, container, address, port, now);
        }

        @Override
        public String toString() {
            return netns + ":" + port;
        }
    }

    public ServiceRecord {
        backends = List.copyOf(backends);
        health = health == null ? NONE : health;
    }

    public ServiceRecord(String name, String network, String host, String vip, int port, String protocol, String balance,
                         List<Backend> backends) {
        this(name, network, host, vip, port, protocol, balance, backends, NONE);
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
        return new ServiceRecord(name, network, host, vip, port, protocol, balance, now, health);
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

    /** Its rules: one {@link Rule.Balance} over the backends that are not down. */
    Ruleset ruleset() {
        List<Rule.Balance.Backend> bs = backends.stream().filter(b -> !b.down())
                .map(b -> new Rule.Balance.Backend(IpAddresses.parse("backend", b.address()), b.port())).toList();
        return Ruleset.of(owner(), new Rule.Balance(IpAddresses.parse("vip", vip), Protocol.parse(protocol), port, bs,
                balance.equals(RANDOM) ? Rule.Balance.Mode.RANDOM : Rule.Balance.Mode.ROUND_ROBIN, 0));
    }
}
