package dev.patchbay.core.network;

import dev.patchbay.core.model.IfName;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;

/**
 * What every plugin of a network's chain is given: a handle on the network's host namespace (open for
 * the life of the process: never close it), the stack to open container namespaces with, the network,
 * and the network's own interface in the host namespace as its driver names it
 * ({@link NetworkPlugin#hostInterface}; null when the driver makes none).
 */
public record NetworkContext(NetnsHandle host, NetworkStack stack, NetworkConfig config, IfName hostInterface) {
}
