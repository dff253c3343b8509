package dev.patchbay.core.ipam;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IfName;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * Ask for one address per range set of {@code config} for {@code ownerId}/{@code ifName} on {@code network}, stored
 * under {@code dataDir/network/}. {@code requested} are static addresses (at most one per range set); the other
 * sets get the next free address.
 */
public record AllocationRequest(Path dataDir, String network, String ownerId, IfName ifName, IpamConfig config,
                                List<InetAddress> requested) {
    public AllocationRequest {
        if (dataDir == null) {
            throw new InvalidInputException("data dir", null, "is required");
        }
        IpamNames.checkNetwork(network);
        IpamNames.checkOwner(ownerId);
        if (ifName == null) {
            throw new InvalidInputException("interface name", null, "is required");
        }
        if (config == null) {
            throw new InvalidInputException("ipam config", null, "is required");
        }
        requested = requested == null ? List.of() : List.copyOf(requested);
    }

    public static AllocationRequest of(Path dataDir, String network, String ownerId, IfName ifName, IpamConfig config) {
        return new AllocationRequest(dataDir, network, ownerId, ifName, config, List.of());
    }

    public AllocationRequest withRequested(InetAddress... addresses) {
        return new AllocationRequest(dataDir, network, ownerId, ifName, config, List.of(addresses));
    }
}
