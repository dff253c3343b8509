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

    @Override
    void close();
}
