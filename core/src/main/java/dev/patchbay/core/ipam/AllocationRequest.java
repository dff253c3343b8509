package dev.patchbay.core.ipam;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IfName;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

/**
 * Ask for one address per range set of {@code config} for {@code ownerId}/{@code ifName} on {@code network}, stored
 * under {@code dataDir/network/}. {@code requested} are static addresses (at most one per range set); the other
 * sets get the next free address. {@code inUse} is the kernel's evidence: true for an address some interface already
 * holds. Such an address is never handed out, even without a reservation (a deleted record): the search skips it and
 * a requested one fails. It is asked under the IPAM lock for each candidate (usually one): keep it a set lookup.
 */
public record AllocationRequest(Path dataDir, String network, String ownerId, IfName ifName, IpamConfig config,
                                List<InetAddress> requested, Predicate<InetAddress> inUse) {
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
        inUse = inUse == null ? a -> false : inUse;
    }

    public static AllocationRequest of(Path dataDir, String network, String ownerId, IfName ifName, IpamConfig config) {
        return new AllocationRequest(dataDir, network, ownerId, ifName, config, List.of(), null);
    }

    public AllocationRequest withRequested(InetAddress... addresses) {
        return new AllocationRequest(dataDir, network, ownerId, ifName, config, List.of(addresses), inUse);
    }

    public AllocationRequest withInUse(Predicate<InetAddress> evidence) {
        return new AllocationRequest(dataDir, network, ownerId, ifName, config, requested, evidence);
    }
}
