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
}
