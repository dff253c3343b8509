package dev.patchbay.core.spi;

import dev.patchbay.core.model.NetnsRef;
import org.osgi.annotation.versioning.ProviderType;

/** Operations bound to one network namespace. Thread-safe; close it when done. */
@ProviderType
public interface NetnsHandle extends AutoCloseable {
    NetnsRef netns();

    LinkOps links();

    AddressOps addresses();

    RouteOps routes();

    RuleOps rules();

    NeighbourOps neighbours();

    SysctlOps sysctl();

    /** The root queueing disciplines of its links. @since 1.4 */
    QdiscOps qdiscs();

    /**
     * Streams this namespace's link, address, route and neighbour events to {@code listener} on a thread of the handle's own until
     * the monitor returned is closed. Events before it returns are not reported: list after it for a consistent picture.
     */
    default AutoCloseable monitor(java.util.function.Consumer<dev.patchbay.core.model.NetEvent> listener) {
        throw new dev.patchbay.core.errors.UnavailableException("this network stack cannot monitor events");
    }

    /**
     * The sockets bound in this namespace that take traffic unasked (the sock_diag dumps of {@code ss -l}): TCP
     * listening, UDP not connected; IPv4, then IPv6. UnavailableException where the kernel has no sock_diag.
     * @since 1.3
     */
    java.util.List<dev.patchbay.core.model.ListeningSocket> listeningSockets();

    @Override
    void close();
}
