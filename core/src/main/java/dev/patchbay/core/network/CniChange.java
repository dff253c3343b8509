package dev.patchbay.core.network;

import dev.patchbay.core.model.LinkChange;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.model.PortMapping;
import java.util.List;
import java.util.Map;

/**
 * What one call of a chained CNI type asks ({@link NetworkPlugin#cniChange}), null asking nothing: {@code backend}, the
 * firewall backend it needs; {@code ports}, published on the container's attachment a CNI ADD made (DEL unpublishes, CHECK
 * compares); {@code sysctls} non-null: it acts in the container's namespace (never the host's), setting them, then on its
 * interface {@code mtu}, {@code mac} (recorded on its attachment) and {@code link}'s flags. Since 2.4
 */
public record CniChange(String backend, List<PortMapping> ports, Map<String, String> sysctls, Integer mtu, MacAddress mac, LinkChange link) {
}
