package dev.patchbay.core.network;

import dev.patchbay.core.model.LinkChange;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.model.PortMapping;
import java.util.List;
import java.util.Map;

/**
 * What one call of a chained CNI type asks ({@link NetworkPlugin#cniChange}); null asks nothing. Since 2.4
 *
 * @param backend the firewall backend the configuration names: served only where Patchbay's firewall uses it
 * @param ports   published on the container's attachment a CNI ADD made (DEL unpublishes its ports; CHECK compares)
 * @param sysctls non-null: the call acts in the container's namespace (never the host's): these sysctls, then on its
 *                interface {@code mtu}, {@code mac} (recorded on its attachment) and {@code link}'s flags
 */
public record CniChange(String backend, List<PortMapping> ports, Map<String, String> sysctls, Integer mtu, MacAddress mac, LinkChange link) {
}
