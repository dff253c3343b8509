package dev.patchbay.core.network;

import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.spi.NetnsHandle;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Builds a network's links: the host side of a network, and each container's link into it. A driver
 * registers with {@link #PROPERTY} (e.g. {@code bridge}); networks name their driver by that value, so a
 * third-party driver is usable without touching any other bundle. Firewall rules and addresses are not
 * the driver's: Patchbay allocates addresses before {@link #attach} and applies rules after it.
 * Every method gets a handle on the host namespace; the driver opens container namespaces itself.
 */
@ConsumerType
public interface NetworkDriver {
    /** Service property naming the driver. */
    String PROPERTY = "patchbay.network.driver";

    /** Checks what this driver needs of a configuration; no side effects. */
    void validate(NetworkConfig config);

    /** Creates or verifies the network's host side (idempotent). */
    void setUpNetwork(NetnsHandle host, NetworkConfig config);

    /** Removes the network's host side; keeps going past errors, collecting them; absent objects are fine. */
    void tearDownNetwork(NetnsHandle host, NetworkConfig config, ErrorCollector errors);

    /**
     * The name of the host-side link of an attachment, fixed by (network, container id) so that a
     * half-done attach can be found and undone after a crash.
     */
    String hostLinkName(NetworkConfig config, String containerId);

    /** Plugs the container in with {@code addresses} already allocated; returns what was made. */
    Attachment attach(NetnsHandle host, NetworkConfig config, AttachRequest request, List<IpPrefix> addresses);

    /** Unplugs a container; keeps going past errors, collecting them; absent objects are fine. */
    void detach(NetnsHandle host, NetworkConfig config, Attachment attachment, ErrorCollector errors);
}
