package dev.patchbay.orchestrator.network;

import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.events.PatchbayEvents;
import java.util.List;

/**
 * The use cases' events, posted at their commit points (a record saved or deleted) on Event Admin through
 * {@link PatchbayEvents}: what {@code patchbay events} prints. Posting never waits and never fails the change. The
 * events bundle is optional (its package is imported with {@code resolution:=optional}): without it, posting does
 * nothing (the first call finds the class missing and every later one skips it).
 */
final class Posted {
    /** Whether the events bundle was found missing: then no call touches {@link PatchbayEvents} again. */
    private static volatile boolean absent;

    private Posted() {
    }

    static void created(NetworkConfig c) {
        post(PatchbayEvents.NETWORK_CREATED, c.name(), null, "subnets " + String.join(", ",
                c.subnets().stream().map(IpPrefix::toString).toList()));
    }

    static void removed(String network) {
        health.remove(network);
        post(PatchbayEvents.NETWORK_REMOVED, network, null, null);
    }

    /** An attach, and the ports it published with it. */
    static void attached(Attachment a) {
        post(PatchbayEvents.ATTACHED, a.network(), a.containerId(), a.ifName().value() + " "
                + String.join(", ", a.addresses().stream().map(IpPrefix::toString).toList()));
        if (!a.ports().isEmpty()) {
            published(a, a.ports(), true);
        }
    }

    static void detached(String network, String containerId) {
        post(PatchbayEvents.DETACHED, network, containerId, null);
    }

    static void published(Attachment a, List<PortMapping> ports, boolean add) {
        post(add ? PatchbayEvents.PUBLISHED : PatchbayEvents.UNPUBLISHED, a.network(), a.containerId(),
                String.join(", ", ports.stream().map(PortMapping::toString).toList()));
    }

    /** A network's repair ({@code gc}, the daemon's watch, a daemon's start): what it did, in words. */
    static void repaired(String network, List<String> done) {
        if (!done.isEmpty()) {
            post(PatchbayEvents.REPAIRED, network, null, String.join("; ", done));
        }
    }

    /** Whether this thread runs a dry run: then nothing is posted. */
    private static final ThreadLocal<Boolean> QUIET = new ThreadLocal<>();

    /** Runs {@code task} posting nothing from this thread (a dry run's use case). */
    static <T> T quietly(java.util.function.Supplier<T> task) {
        QUIET.set(Boolean.TRUE);
        try {
            return task.get();
        } finally {
            QUIET.remove();
        }
    }

    /** Each network's health as last posted by this process (a network not in it was ok). */
    private static final java.util.Map<String, String> health = new java.util.concurrent.ConcurrentHashMap<>();

    /** A repair saw a network ok, or missing {@code what}: posted when that differs from what this process saw last. */
    static void health(String network, List<String> missing) {
        if (QUIET.get() != null) {
            return; // a dry run's repair: what it saw is not the network's health
        }
        String now = missing.isEmpty() ? "ok" : "missing";
        String before = missing.isEmpty() ? health.remove(network) : health.put(network, now);
        if (!now.equals(before == null ? "ok" : before)) {
            post(PatchbayEvents.HEALTH_CHANGED, network, null, (before == null ? "ok" : before) + " -> " + now
                    + (missing.isEmpty() ? "" : ": " + String.join("; ", missing)));
        }
    }

    /** Posts through the events bundle when it is there (the type names are constants: they need no class). */
    private static void post(String type, String network, String container, String detail) {
        if (absent || QUIET.get() != null) {
            return;
        }
        try {
            PatchbayEvents.post(type, network, container, detail);
        } catch (NoClassDefFoundError e) {
            absent = true;
        }
    }
}
