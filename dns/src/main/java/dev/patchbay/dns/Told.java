package dev.patchbay.dns;

import java.util.concurrent.atomic.AtomicReference;

/**
 * How the plugin's word reaches the daemon's server in this bundle: the server registers here while it serves. Not a
 * service reference: the server reads the records through the orchestrator, which holds every network plugin, this
 * bundle's included, so a reference from the plugin to the server would close a cycle that SCR reports as an error.
 */
final class Told {
    private static final AtomicReference<DnsServer> SERVING = new AtomicReference<>();

    private Told() {
    }

    static void serving(DnsServer server) {
        SERVING.set(server);
    }

    static void stopped(DnsServer server) {
        SERVING.compareAndSet(server, null);
    }

    /** The server of this daemon; null in a one-shot run (a daemon serves what the records say when it reads them). */
    static DnsServer server() {
        return SERVING.get();
    }
}
