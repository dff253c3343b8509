package dev.patchbay.plugin.bridge;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkDriver;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The tutorials' bridge network: a Linux bridge holding the gateway address, and per container a veth
 * pair whose peer is created directly in the container's namespace under its final name ({@code eth0}),
 * with the container's addresses, loopback up and a default route via the gateway.
 */
@Component(property = NetworkDriver.PROPERTY + "=bridge")
public final class BridgeDriver implements NetworkDriver {

    @Reference
    NetworkStack stack;

    @Override
    public void validate(NetworkConfig config) {
        if (config.bridge().value().equals("lo")) {
            throw new InvalidInputException("bridge", "lo", "is the loopback device");
        }
    }

    @Override
    public void setUpNetwork(NetnsHandle host, NetworkConfig config) {
        LinkRef br = LinkRef.name(config.bridge());
        Link link = host.links().ensure(new LinkSpec.Bridge(config.bridge(), config.mtu(), null));
        if (!"bridge".equals(link.kind())) {
            throw new AlreadyExistsException("failed to create bridge \"" + config.bridge() + "\": a " + link.kind() + " link has that name");
        }
        host.addresses().ensure(br, config.gatewayAddress());
        if (config.subnet6() != null) {
            host.sysctl().ensure("net.ipv6.conf." + config.bridge() + ".accept_dad", "0");
            host.addresses().ensure(br, config.gateway6Address());
            host.sysctl().ensure("net.ipv6.conf.all.forwarding", "1");
        }
        host.links().setUp(br, true);
        host.sysctl().ensure("net.ipv4.ip_forward", "1");
        // ports published on the host's 127.0.0.1 are DNATed out of the bridge with a loopback source;
        // the firewall masquerades them, and refuses 127/8 arriving from any other interface
        host.sysctl().ensure("net.ipv4.conf." + config.bridge() + ".route_localnet", "1");
    }

    @Override
    public void tearDownNetwork(NetnsHandle host, NetworkConfig config, ErrorCollector errors) {
        errors.run("delete bridge \"" + config.bridge() + "\"", () -> host.links().delete(LinkRef.name(config.bridge())));
    }

    @Override
    public String hostLinkName(NetworkConfig config, String containerId) {
        CRC32 crc = new CRC32();
        crc.update((config.name() + "\0" + containerId).getBytes(StandardCharsets.UTF_8));
        return String.format("veth%08x", crc.getValue());
    }

    @Override
    public Attachment attach(NetnsHandle host, NetworkConfig config, AttachRequest request, List<IpPrefix> addresses) {
        IfName hostIf = new IfName(hostLinkName(config, request.containerId()));
        host.links().add(new LinkSpec.Veth(hostIf, request.ifName(), request.container(), config.mtu(), null, request.mac()));
        LinkRef hostRef = LinkRef.name(hostIf);
        host.links().setMaster(hostRef, LinkRef.name(config.bridge()));
        if (!request.ports().isEmpty()) {
            host.links().setBridgePort(hostRef, true, null); // a container reaching its own published port
        }
        host.links().setUp(hostRef, true);
        Link peer;
        try (NetnsHandle ctr = stack.open(request.container())) {
            LinkRef eth = LinkRef.name(request.ifName());
            if (config.subnet6() == null) {
                withoutIpv6(ctr, request.ifName());
            }
            ctr.links().setUp(LinkRef.name("lo"), true);
            for (IpPrefix a : addresses) {
                ctr.addresses().add(eth, a);
            }
            ctr.links().setUp(eth, true);
            for (IpPrefix a : addresses) {
                ctr.routes().replace(Route.defaultVia(a.family() == Family.INET ? config.gateway() : config.gateway6()));
            }
            peer = ctr.links().get(eth);
        }
        return new Attachment(config.name(), request.containerId(), request.container().path().toString(), request.ifName(),
                hostIf, peer.mac(), addresses, request.ports());
    }

    /**
     * On a network without IPv6 the container's interface gets no IPv6 either (set before it comes up; Docker's
     * containers on IPv4-only networks have none either).
     * Else its link-local address brings duplicate address detection, MLD reports and router solicitations, which the
     * bridge floods to every port: each attach then costs the kernel O(N). In a kernel probe (veth pairs with their
     * peers in their own namespaces, on one bridge) a veth add took 0.5 ms at 100 ports and 9 ms at 1000; with this,
     * 0.4-0.6 ms throughout. Left as is: a kernel without IPv6 (no such sysctl), and a name the sysctl keys cannot
     * spell (the kernel allows '@', '+', "..", which a key under /proc/sys/net may not hold).
     */
    private static void withoutIpv6(NetnsHandle ctr, IfName ifName) {
        try {
            ctr.sysctl().set("net/ipv6/conf/" + ifName.value() + "/disable_ipv6", "1"); // slashes: a name may hold dots
        } catch (NotFoundException | InvalidInputException e) {
            // no IPv6 in this kernel, or a name no sysctl key can spell: the interface keeps IPv6
        }
    }

    @Override
    public void detach(NetnsHandle host, NetworkConfig config, Attachment attachment, ErrorCollector errors) {
        // deleting one end of a veth pair deletes both: the container keeps nothing of the network
        errors.run("delete link \"" + attachment.hostIf() + "\"", () -> host.links().delete(LinkRef.name(attachment.hostIf())));
    }
}
