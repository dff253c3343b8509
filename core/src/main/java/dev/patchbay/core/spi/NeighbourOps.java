package dev.patchbay.core.spi;

import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.Neighbour;
import java.net.InetAddress;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** Neighbour (ARP/NDP) entries of one namespace. */
@ProviderType
public interface NeighbourOps {
    void add(Neighbour neighbour);

    void replace(Neighbour neighbour);

    void delete(IfName device, InetAddress address);

    List<Neighbour> list(Family family);

    /**
     * Appends an entry to a device's own forwarding table ({@code bridge fdb append MAC dev DEV dst DST}: permanent,
     * NTF_SELF): a VXLAN device sends frames for {@code mac} to the underlay address {@code destination}. @since 2.1
     */
    void appendFdb(Fdb entry);

    /** Deletes that entry; NotFoundException if it is absent. @since 2.1 */
    void deleteFdb(Fdb entry);

    /** The entries of {@code device}'s own forwarding table that have a destination. @since 2.1 */
    List<Fdb> listFdb(IfName device);

    /** One entry of a device's own forwarding table. @since 2.1 */
    record Fdb(IfName device, dev.patchbay.core.model.MacAddress mac, InetAddress destination) {
    }
}
