package dev.patchbay.orchestrator.network;

import dev.patchbay.core.network.NetworkPlugin;

/** For the CNI module's tests: installs a plugin as one of Patchbay's own bundles would (it serves before FakeHost's fake bridge). */
public final class OwnPlugins {
    private OwnPlugins() {
    }

    public static void install(FakeHost host, String type, NetworkPlugin plugin) {
        host.manager().addPlugin(plugin, ChainRollbackTest.ref(type, "dev.patchbay.plugin." + type, 30, 0));
    }
}
