package dev.patchbay.core.spi;

import dev.patchbay.core.model.NetnsId;
import dev.patchbay.core.model.NetnsRef;
import java.util.concurrent.Callable;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Entry point to the kernel's networking: one service, provided by the netlink backend. Only {@link #open} and
 * {@link #callIn} enter a namespace, both on a platform thread of their own, never on the caller's.
 */
@ProviderType
public interface NetworkStack {

    /** Opens a handle bound to {@code netns}: every operation on it acts in that namespace. */
    NetnsHandle open(NetnsRef netns);

    /** Creates, deletes and lists named namespaces (the {@code ip netns} way: bind mounts under {@link NetnsRef#RUN_DIR}). */
    NetnsOps namespaces();

    /**
     * Runs {@code task} on a fresh platform thread in {@code netns}, ending with it: for work that must start inside a
     * namespace (a firewall context whose socket must belong to it, a helper process that must inherit it).
     */
    <T> T callIn(NetnsRef netns, Callable<T> task);

    /**
     * Which namespace {@code netns} names now ({@link NetnsId}): the same for every reference to it, never again for
     * another one. NotFoundException names a missing one.
     * @since 1.2
     */
    NetnsId identity(NetnsRef netns);
}
