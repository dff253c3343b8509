package dev.patchbay.core.spi;

import dev.patchbay.core.model.NetnsRef;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** Named namespaces, interoperable with {@code ip netns}. */
@ProviderType
public interface NetnsOps {
    /** Creates a new namespace bind-mounted at {@code RUN_DIR/name}. AlreadyExistsException if taken. */
    NetnsRef.Named create(String name);

    /** Unmounts and removes {@code RUN_DIR/name}. NotFoundException if absent. */
    void delete(String name);

    /**
     * Names an existing namespace ({@code ip netns attach NAME PID}): bind-mounts {@code target}'s
     * namespace file at {@code RUN_DIR/name}, e.g. to adopt a container runtime's namespace by pid.
     */
    default NetnsRef.Named attach(String name, NetnsRef target) {
        throw new dev.patchbay.core.errors.UnavailableException("attaching a name to " + target.describe() + " is not supported here");
    }

    List<String> list();

    boolean exists(NetnsRef netns);
}
