package dev.patchbay.core.network;

import dev.patchbay.core.model.IfName;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;

/**
 * What every plugin of a chain is given: the host namespace's handle (open for the process's life: never close it), the
 * stack to open containers' namespaces with, the network, and its driver's {@link NetworkPlugin#hostInterface} (or null).
 */
public record NetworkContext(NetnsHandle host, NetworkStack stack, NetworkConfig config, IfName hostInterface) {
}
