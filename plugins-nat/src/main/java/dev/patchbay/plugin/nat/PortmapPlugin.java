package dev.patchbay.plugin.nat;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.CniChange;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/**
 * Published ports, as CNI's {@code portmap} plugin: one port forward (DNAT) per published port and per
 * container address of the port's family. Pure: the orchestrator applies the rules on the operator's
 * firewall backend.
 */
@Component(property = {NetworkPlugin.TYPE + "=portmap", NetworkPlugin.ROLE + "=" + NetworkPlugin.CHAINED})
public final class PortmapPlugin implements NetworkPlugin {

    @Override
    public Set<String> capabilities() {
        return Set.of(PORT_MAPPINGS);
    }

    @Override
    public void validate(NetworkContext ctx, List<NetworkConfig> others) {
        // no options
    }

    /** The ports of one request may not overlap each other. */
    @Override
    public void validate(NetworkContext ctx, AttachRequest request) {
        List<PortMapping> ports = request.ports();
        for (int i = 0; i < ports.size(); i++) {
            for (int j = i + 1; j < ports.size(); j++) {
                if (clash(ports.get(i), ports.get(j))) {
                    throw new InvalidInputException("publish", ports.get(j), "overlaps " + ports.get(i));
                }
            }
        }
    }

    /** Same protocol, overlapping host ports, and the same host address or either on any address. */
    static boolean clash(PortMapping a, PortMapping b) {
        return a.protocol() == b.protocol() && a.hostPorts().overlaps(b.hostPorts())
                && (a.hostIp() == null || b.hostIp() == null || a.hostIp().equals(b.hostIp()));
    }

    /** One port forward per published port and per container address of the port's family (both without a host address). */
    @Override
    public void attachmentRules(NetworkContext ctx, Attachment attachment, List<Rule> rules) {
        for (PortMapping p : attachment.ports()) {
            for (IpPrefix addr : attachment.addresses()) {
                if (p.hostIp() == null || Family.of(p.hostIp()) == addr.family()) {
                    rules.add(new Rule.PortForward(p, addr.address()));
                }
            }
        }
    }

    /** The CNI type {@code portmap} on a network with this plugin in its chain ({@link NatCni#portmap}). */
    @Override
    public CniChange cniChange(Map<String, Object> conf, Map<String, String> args, NetworkConfig network) {
        return NatCni.portmap(conf, network);
    }
}
