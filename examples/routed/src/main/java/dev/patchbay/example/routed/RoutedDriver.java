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
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import dev.patchbay.core.spi.NetnsHandle;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * {@code --driver routed}: no bridge; each container gets a veth whose host end carries the gateway address
 * as a /32, the container its address as a /32 with a link-scope route to the gateway and a default route
 * via it, and the host a /32 route to the container (seed 004 §7's routed pod). The host forwards between
 * them. Built against the exported API only.
 */
@Component(property = NetworkPlugin.TYPE + "=routed")
public final class RoutedDriver implements NetworkPlugin {
    static final String MTU = "mtu";

    @Override
    public Map<String, String> options() {
        return Map.of(MTU, "MTU of the veth pairs (default: the kernel's)");
    }

    @Override
    public void validate(NetworkContext ctx, List<NetworkConfig> others) {
        NetworkConfig config = ctx.config();
        if (config.subnet6() != null) {
            throw new InvalidInputException("ipv6", config.subnet6(), "the routed example driver is IPv4 only");
        }
        if (config.gateway() == null) {
            throw new InvalidInputException("gateway", null, "the routed driver needs one: the host end of every veth carries it");
        }
        config.number(MTU, 68, 65535);
    }

    @Override
    public void setUpNetwork(NetworkContext ctx) {
        ctx.host().sysctl().ensure("net.ipv4.ip_forward", "1"); // nothing else: no bridge
    }

    /** The host end's name, a function of the network and the container: teardown after a crash finds it again. */
    static IfName hostLink(NetworkConfig config, String containerId) {
        return IfName.of("rt" + Integer.toHexString((config.name() + "/" + containerId).hashCode()));
    }

    @Override
    public Attachment setUp(NetworkContext ctx, AttachRequest request, Attachment previous) {
        NetworkConfig config = ctx.config();
        NetnsHandle host = ctx.host();
        IfName hostIf = hostLink(config, request.containerId());
        IpPrefix mine = previous.addresses().stream().filter(a -> a.family() == Family.INET).findFirst()
                .map(a -> IpPrefix.of(a.address(), 32)).orElseThrow(() -> new IllegalStateException("no IPv4 address allocated"));
        host.links().add(new LinkSpec.Veth(hostIf, request.ifName(), request.container(), config.number(MTU, 68, 65535), null, request.mac()));
        host.addresses().add(LinkRef.name(hostIf), IpPrefix.of(config.gateway(), 32));
        host.links().setUp(LinkRef.name(hostIf), true);
        host.routes().replace(Route.onLink(mine, hostIf));
        try (NetnsHandle ctr = ctx.stack().open(request.container())) {
            LinkRef eth = LinkRef.name(request.ifName());
            ctr.links().setUp(LinkRef.name("lo"), true);
            ctr.addresses().add(eth, mine);
            ctr.links().setUp(eth, true);
            ctr.routes().replace(new Route(IpPrefix.of(config.gateway(), 32), null, request.ifName(), null, null, null, Scope.LINK));
            ctr.routes().replace(Route.defaultVia(config.gateway()));
            return new Attachment(config.name(), request.containerId(), request.container().path().toString(), request.ifName(),
                    hostIf, ctr.links().get(eth).mac(), List.of(mine), previous.ports());
        }
    }

    /** Deleting the host end deletes the pair, and the host's route to the container with it. */
    @Override
    public void tearDown(NetworkContext ctx, Attachment attachment, ErrorCollector errors) {
        IfName hostIf = attachment.hostIf() != null ? attachment.hostIf() : hostLink(ctx.config(), attachment.containerId());
        errors.run("delete link \"" + hostIf + "\"", () -> ctx.host().links().delete(LinkRef.name(hostIf)));
    }
}
