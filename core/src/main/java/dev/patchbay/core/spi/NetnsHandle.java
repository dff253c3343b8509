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

    /**
     * Streams link, address and route events of this namespace to {@code listener}, on a thread of the
     * handle's own, until the returned monitor is closed. Events that happen before this returns are
     * not reported; compare with a listing made after it returns to get a consistent picture.
     */
    default AutoCloseable monitor(java.util.function.Consumer<dev.patchbay.core.model.NetEvent> listener) {
        throw new dev.patchbay.core.errors.UnavailableException("this network stack cannot monitor events");
    }

    @Override
    void close();
}
