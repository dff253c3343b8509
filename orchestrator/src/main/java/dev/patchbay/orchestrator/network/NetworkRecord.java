package dev.patchbay.orchestrator.network;

import dev.patchbay.core.network.NetworkConfig;

/**
 * A network as stored: its configuration and the host namespace it was created in
 * ({@code hostNetns}: the namespace file's identity, see {@link NetnsIdentity}).
 */
record NetworkRecord(NetworkConfig config, String hostNetns, String hostDescription) {
    String name() {
        return config.name();
    }
}
