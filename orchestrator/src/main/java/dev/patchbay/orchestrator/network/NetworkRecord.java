package dev.patchbay.orchestrator.network;

import dev.patchbay.core.network.NetworkConfig;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A network as stored: its configuration and the host namespace it was created in ({@code hostNetns}: the namespace's
 * identity, see {@link NetnsIdentity}; {@code hostDescription}: in words). {@code hostPlace} says where that namespace
 * is found again once it is gone — deleted and made again under its name, or after a reboot — so that the network can
 * be rebuilt there: {@code netns:NAME} (a namespace under /run/netns), {@code path:FILE}, {@code init} (the machine's
 * own namespace), or null when nothing names it for good (a process's namespace; records of earlier releases).
 * {@code labels}: the operator's {@code --label KEY=VALUE}s, sorted (none in records of earlier releases).
 */
record NetworkRecord(NetworkConfig config, String hostNetns, String hostDescription, String hostPlace, Map<String, String> labels) {
    NetworkRecord {
        labels = Collections.unmodifiableMap(new TreeMap<>(labels == null ? Map.of() : labels));
    }

    NetworkRecord(NetworkConfig config, String hostNetns, String hostDescription, String hostPlace) {
        this(config, hostNetns, hostDescription, hostPlace, null);
    }

    NetworkRecord(NetworkConfig config, String hostNetns, String hostDescription) {
        this(config, hostNetns, hostDescription, null, null);
    }

    String name() {
        return config.name();
    }

    /** The same network, now in the namespace {@code hostNetns}. */
    NetworkRecord movedTo(String netns, String description, String place) {
        return new NetworkRecord(config, netns, description, place, labels);
    }
}
