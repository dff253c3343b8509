package dev.patchbay.example.routed;

import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.model.Scope;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkDriver;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import java.util.List;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * An example third-party driver, {@code --driver routed}: no bridge; each container gets a veth whose
 * host end carries the gateway address as a /32, the container its address as a /32 with a link-scope
 * route to the gateway and a default route via it, and the host a /32 route to the container (seed 004
 * §7's routed pod). Built against the exported SPI only.
 */
@Component(property = NetworkDriver.PROPERTY + "=routed")
public final class RoutedDriver implements NetworkDriver {

    @Reference
    NetworkStack stack;

    @Override
    public void validate(NetworkConfig config) {
        if (config.subnet6() != null) {
            throw new InvalidInputException("ipv6", config.subnet6(), "the routed example driver is IPv4 only");
        }
    }

    @Override
    public void setUpNetwork(NetnsHandle host, NetworkConfig config) {
        host.sysctl().ensure("net.ipv4.ip_forward", "1"); // nothing else: no bridge
    }

    @Override
    public void tearDownNetwork(NetnsHandle host, NetworkConfig config, ErrorCollector errors) {
        // the network owns no link of its own
    }

    @Override
    public String hostLinkName(NetworkConfig config, String containerId) {
        return "rt" + Integer.toHexString((config.name() + "/" + containerId).hashCode());
    }

    @Override
    public Attachment attach(NetnsHandle host, NetworkConfig config, AttachRequest request, List<IpPrefix> addresses) {
        IfName hostIf = new IfName(hostLinkName(config, request.containerId()));
        host.links().add(new LinkSpec.Veth(hostIf, request.ifName(), request.container(), config.mtu(), null, request.mac()));
        host.addresses().add(LinkRef.name(hostIf), IpPrefix.of(config.gateway(), 32));
        host.links().setUp(LinkRef.name(hostIf), true);
        IpPrefix mine = addresses.stream().filter(a -> a.family() == Family.INET).findFirst().orElseThrow();
        host.routes().replace(Route.onLink(IpPrefix.of(mine.address(), 32), hostIf));
        try (NetnsHandle ctr = stack.open(request.container())) {
            LinkRef eth = LinkRef.name(request.ifName());
            ctr.links().setUp(LinkRef.name("lo"), true);
            ctr.addresses().add(eth, IpPrefix.of(mine.address(), 32));
            ctr.links().setUp(eth, true);
            ctr.routes().replace(new Route(IpPrefix.of(config.gateway(), 32), null, request.ifName(), null, null, null, Scope.LINK));
            ctr.routes().replace(Route.defaultVia(config.gateway()));
            return new Attachment(config.name(), request.containerId(), request.container().path().toString(), request.ifName(),
                    hostIf, ctr.links().get(eth).mac(), List.of(IpPrefix.of(mine.address(), 32)), request.ports());
        }
    }

    @Override
    public void detach(NetnsHandle host, NetworkConfig config, Attachment attachment, ErrorCollector errors) {
        errors.run("delete link \"" + attachment.hostIf() + "\"", () -> host.links().delete(LinkRef.name(attachment.hostIf())));
    }
}
