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
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The tutorials' bridge network, the driver of a chain: a Linux bridge holding the gateway address(es),
 * and per container a veth pair whose peer is created directly in the container's namespace under its
 * final name ({@code eth0}), with the container's addresses, loopback up and default routes via the
 * gateway(s).
 */
@Component(property = NetworkPlugin.TYPE + "=bridge")
public final class BridgePlugin implements NetworkPlugin {
    static final String BRIDGE = "bridge";
    static final String MTU = "mtu";

    @Reference
    NetworkStack stack;

    @Override
    public Map<String, String> options() {
        return Map.of(BRIDGE, "name of the bridge (default: pb-NAME, cut to 15 bytes)",
                MTU, "MTU of the bridge and the container links, 68..65535 (default: the kernel's)");
    }

    @Override
    public Map<String, String> defaults(NetworkConfig config) {
        return Map.of(BRIDGE, defaultBridge(config.name()));
    }

    @Override
    public List<String> defaultChain() {
        return List.of("firewall", "portmap");
    }

    @Override
    public IfName hostInterface(NetworkConfig config) {
        return bridge(config);
    }

    @Override
    public void validate(NetworkContext ctx, List<NetworkConfig> others) {
        NetworkConfig config = ctx.config();
        mtu(config);
        IfName br = bridge(config);
        if (br.value().equals("lo")) {
            throw new InvalidInputException(BRIDGE, "lo", "is the loopback device");
        }
        for (NetworkConfig other : others) {
            if (!other.name().equals(config.name()) && br.value().equals(bridgeOf(other))) {
                throw new InvalidInputException(BRIDGE, br, "is the bridge of network \"" + other.name() + "\"");
            }
        }
        if (ctx.host().links().find(LinkRef.name(br)).isPresent()) {
            throw new AlreadyExistsException("failed to create network \"" + config.name() + "\": a link named \"" + br
                    + "\" already exists in " + ctx.host().netns().describe() + "; choose another --bridge");
        }
    }

    @Override
    public void setUpNetwork(NetworkContext ctx) {
        NetworkConfig config = ctx.config();
        NetnsHandle host = ctx.host();
        IfName bridge = bridge(config);
        LinkRef br = LinkRef.name(bridge);
        Link link = host.links().ensure(new LinkSpec.Bridge(bridge, mtu(config), null));
        if (!"bridge".equals(link.kind())) {
            throw new AlreadyExistsException("failed to create bridge \"" + bridge + "\": a " + link.kind() + " link has that name");
        }
        if (config.gatewayAddress() != null) {
            host.addresses().ensure(br, config.gatewayAddress());
        }
        if (config.subnet6() != null) {
            host.sysctl().ensure("net/ipv6/conf/" + bridge + "/accept_dad", "0"); // slashes: a name may hold dots
            if (config.gateway6Address() != null) {
                host.addresses().ensure(br, config.gateway6Address());
            }
            host.sysctl().ensure("net.ipv6.conf.all.forwarding", "1");
        }
        host.links().setUp(br, true);
        host.sysctl().ensure("net.ipv4.ip_forward", "1");
        // ports published on the host's 127.0.0.1 are DNATed out of the bridge with a loopback source;
        // the firewall masquerades them, and refuses 127/8 arriving from any other interface
        host.sysctl().ensure("net/ipv4/conf/" + bridge + "/route_localnet", "1");
    }

    @Override
    public void tearDownNetwork(NetworkContext ctx, ErrorCollector errors) {
        IfName bridge = bridge(ctx.config());
        errors.run("delete bridge \"" + bridge + "\"", () -> ctx.host().links().delete(LinkRef.name(bridge)));
    }

    @Override
    public Attachment setUp(NetworkContext ctx, AttachRequest request, Attachment previous) {
        NetworkConfig config = ctx.config();
        NetnsHandle host = ctx.host();
        List<IpPrefix> addresses = previous == null ? List.of() : previous.addresses();
        Integer mtu = mtu(config);
        IfName hostIf = new IfName(hostLinkName(config.name(), request.containerId()));
        host.links().add(new LinkSpec.Veth(hostIf, request.ifName(), request.container(), mtu, null, request.mac()));
        LinkRef hostRef = LinkRef.name(hostIf);
        host.links().setMaster(hostRef, LinkRef.name(bridge(config)));
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
                InetAddress gateway = a.family() == Family.INET ? config.gateway() : config.gateway6();
                if (gateway != null) {
                    ctr.routes().replace(Route.defaultVia(gateway));
                }
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
    public void tearDown(NetworkContext ctx, Attachment attachment, ErrorCollector errors) {
        // deleting one end of a veth pair deletes both: the container keeps nothing of the network.
        // After a crash the record may hold no host link yet: its name follows from the network and container id
        IfName hostIf = attachment.hostIf() != null ? attachment.hostIf()
                : new IfName(hostLinkName(ctx.config().name(), attachment.containerId()));
        errors.run("delete link \"" + hostIf + "\"", () -> ctx.host().links().delete(LinkRef.name(hostIf)));
    }

    /**
     * The host-side link of an attachment, fixed by (network, container id) so that a half-done attach can be
     * found and undone after a crash. Existing records hold these names: never change the formula.
     */
    static String hostLinkName(String network, String containerId) {
        CRC32 crc = new CRC32();
        crc.update((network + "\0" + containerId).getBytes(StandardCharsets.UTF_8));
        return String.format("veth%08x", crc.getValue());
    }

    static String defaultBridge(String network) {
        String b = "pb-" + network; // network names are ASCII: characters are bytes
        return b.length() > IfName.MAX_BYTES ? b.substring(0, IfName.MAX_BYTES) : b;
    }

    /** The bridge of a network of this driver: its option, else the default. */
    static IfName bridge(NetworkConfig config) {
        String name = config.option(BRIDGE).orElseGet(() -> defaultBridge(config.name()));
        try {
            return new IfName(name);
        } catch (InvalidInputException e) {
            String m = e.getMessage();
            throw new InvalidInputException(BRIDGE, name, m.substring(m.indexOf("\": ") + 3));
        }
    }

    /** Another network's bridge: its option, or for a bridge network without one, the default. */
    private static String bridgeOf(NetworkConfig other) {
        return other.option(BRIDGE).orElse(other.driver().equals("bridge") ? defaultBridge(other.name()) : null);
    }

    private static Integer mtu(NetworkConfig config) {
        return config.number(MTU, 68, 65535);
    }
}
