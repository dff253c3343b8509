package dev.patchbay.host.plugins;

import java.util.Comparator;
import java.util.Set;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

/**
 * Which of two services providing the same thing (a network plugin type, a command name) serves: Patchbay's own
 * bundles first, then the highest service ranking, then the lowest bundle id (the bundle installed first). The
 * launcher mounts commands by this rule, the orchestrator picks network plugins by it, and {@code plugins ls} shows
 * each conflict and who won it.
 */
public final class Providers {
    /** The bundles of Patchbay's distribution: a third-party bundle never takes a type or a command from them. */
    public static final Set<String> OWN = Set.of("dev.patchbay.core", "dev.patchbay.orchestrator", "dev.patchbay.cni", "dev.patchbay.state", "dev.patchbay.firewall.host", "dev.patchbay.doctor",
            "dev.patchbay.plugin.bridge", "dev.patchbay.plugin.nat", "dev.patchbay.plugin.ipam", "dev.patchbay.netlink",
            "dev.patchbay.firewall.iptables", "dev.patchbay.firewall.nftables", "dev.patchbay.commands.ip", "dev.patchbay.sys",
            "dev.patchbay.topology", "dev.patchbay.events", "dev.patchbay.dns", "dev.patchbay.dryrun",
            "dev.patchbay.services", "dev.patchbay.plugin.overlay");

    /** The winner first. */
    public static final Comparator<ServiceReference<?>> ORDER = Comparator
            .comparing((ServiceReference<?> r) -> !own(r.getBundle()))
            .thenComparing(r -> -ranking(r))
            .thenComparingLong(r -> r.getBundle() == null ? Long.MAX_VALUE : r.getBundle().getBundleId());

    /** The rule in words, for messages. */
    public static final String RULE = "Patchbay's own bundles first, then the highest service.ranking, then the lowest bundle id";

    private Providers() {
    }

    /** Whether {@code b} is one of Patchbay's own bundles ({@link #OWN}); false for null. */
    public static boolean own(Bundle b) {
        return b != null && OWN.contains(b.getSymbolicName());
    }

    private static int ranking(ServiceReference<?> r) {
        return r.getProperty(Constants.SERVICE_RANKING) instanceof Integer i ? i : 0;
    }

    /** {@code BUNDLE VERSION} of a service's bundle. */
    public static String origin(ServiceReference<?> r) {
        Bundle b = r.getBundle();
        return b == null ? "an uninstalled bundle" : b.getSymbolicName() + " " + b.getVersion();
    }
}
