package dev.patchbay.plugin.overlay;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.plugin.overlay.etcd.EtcdClient;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The {@code overlay} driver: one network over many nodes. Each node leases a subnet of the network's in etcd
 * ({@link OverlayStore}), holds its first address on a bridge of its own and plugs its containers into that bridge; a
 * VXLAN device on the node's underlay carries the traffic to the other nodes, whose routes, neighbour and forwarding
 * entries follow etcd ({@link Keeper}, in the daemon). The pods' MTU is the underlay's less the VXLAN overhead.
 */
@Component(property = NetworkPlugin.TYPE + "=" + OverlayDriver.TYPE)
public final class OverlayDriver implements NetworkPlugin {
    static final String TYPE = "overlay";
    /** Outer IPv4 (20), UDP (8), VXLAN (8) and inner Ethernet (14) headers. */
    static final int OVERHEAD = 50;
    /** vxlan's IFLA_INFO_DATA attributes (linux/if_link.h). */
    static final int IFLA_VXLAN_ID = 1, IFLA_VXLAN_LOCAL = 4, IFLA_VXLAN_LEARNING = 7, IFLA_VXLAN_PORT = 15;

    /** The kernel's stack: a context on another one (a dry run's) keeps no lease. */
    @org.osgi.service.component.annotations.Reference
    dev.patchbay.core.spi.NetworkStack stack;

    /** Where the VXLAN port's rule goes (null in unit tests: none). */
    @org.osgi.service.component.annotations.Reference
    dev.patchbay.firewall.host.FirewallManager firewall;

    /** The state folder the firewall records its rules in: the daemon's, else the command's (as {@code CliContext} finds it). */
    java.nio.file.Path stateDir = dev.patchbay.core.command.CliContext.DEFAULT_STATE_DIR;

    @org.osgi.service.component.annotations.Activate
    void activate(org.osgi.framework.BundleContext bc) {
        String dir = bc.getProperty("patchbay.state.dir");
        String env = System.getenv(dev.patchbay.core.command.CliContext.STATE_DIR_ENV);
        stateDir = dir != null && !dir.isEmpty() ? java.nio.file.Path.of(dir) : env != null && !env.isEmpty() ? java.nio.file.Path.of(env) : stateDir;
    }

    /** The keepers of this process, by network. */
    final Map<String, Keeper> keepers = new ConcurrentHashMap<>();

    @Override
    public Map<String, String> options() {
        return OverlayOptions.help();
    }

    /**
     * At create: the network's definition written to etcd (or checked against the one there), and this node's subnet
     * leased; recorded with the network, with the addresses IPAM hands out here (the subnet's, from its third).
     */
    @Override
    public Map<String, String> defaults(NetworkConfig config) {
        OverlayOptions o = OverlayOptions.of(config);
        OverlayStore store = store(o);
        IpPrefix subnet;
        if (dev.patchbay.orchestrator.network.DryRun.active()) { // read, not written: the subnet a claim would take now
            subnet = store.wouldClaim(o);
        } else {
            store.define(o);
            subnet = store.claim(o).subnet();
        }
        Map<String, String> d = new LinkedHashMap<>();
        d.put(OverlayOptions.NODE, o.node());
        d.put(OverlayOptions.NODE_SUBNET, subnet.toString());
        d.put("ipam.range", OverlayOptions.ipamRange(subnet));
        o.definition().forEach((k, v) -> {
            if (!k.equals("subnet")) {
                d.put(k, v);
            }
        });
        d.put(OverlayOptions.LEASE_TTL, Integer.toString(o.leaseTtl()));
        return d;
    }

    static OverlayStore store(OverlayOptions o) {
        return new OverlayStore(new EtcdClient(o.etcd(), Duration.ofSeconds(3), o.tls()), o.network());
    }

    /** The keys of a CNI configuration of type overlay that are the contract's, not settings: all it may hold. */
    private static final java.util.Set<String> CNI_KEYS = java.util.Set.of("cniVersion", "cniVersions", "name", "type", "args",
            "runtimeConfig", "prevResult", "capabilities", "disableCheck", "disableGC");

    /**
     * CNI: a configuration of type {@code overlay} names a network made on this node with {@code network create --driver
     * overlay} (its subnet leased there, kept by the daemon) and sets nothing: no options; a key of its own (an
     * {@code ipam}, an {@code etcd}) is refused, naming it.
     */
    @Override
    public Map<String, String> cniOptions(Map<String, Object> conf) {
        for (String k : conf.keySet()) {
            if (CNI_KEYS.stream().noneMatch(k::equalsIgnoreCase)) {
                throw new InvalidInputException(k, String.valueOf(conf.get(k)), "is not read: a configuration of type overlay only names"
                        + " a network made on this node with patchbay network create NAME --driver overlay (its options, subnet and lease are that one's)");
            }
        }
        return Map.of();
    }

    @Override
    public IfName hostInterface(NetworkConfig config) {
        return bridge(config.name());
    }

    static IfName bridge(String network) {
        return new IfName(cut("pbo-" + network));
    }

    static IfName vxlan(String network) {
        return new IfName(cut("pbx-" + network));
    }

    private static String cut(String s) {
        return s.length() > IfName.MAX_BYTES ? s.substring(0, IfName.MAX_BYTES) : s;
    }

    @Override
    public void validate(NetworkContext ctx, List<NetworkConfig> others) {
        OverlayOptions o = OverlayOptions.of(ctx.config());
        underlay(ctx.host(), o);
        for (IfName n : List.of(bridge(o.network()), vxlan(o.network()))) {
            Optional<Link> l = ctx.host().links().find(LinkRef.name(n));
            if (l.isPresent()) {
                throw new AlreadyExistsException("failed to create network \"" + o.network() + "\": a " + l.get().kind()
                        + " link named \"" + n + "\" exists in " + ctx.host().netns().describe());
            }
        }
    }

    /** The underlay device (the option's, else the default route's) and its first IPv4 address. */
    static Underlay underlay(NetnsHandle host, OverlayOptions o) {
        IfName dev = o.underlay();
        if (dev == null) {
            dev = host.routes().list(Family.INET, null).stream().filter(Route::isDefault).map(Route::device)
                    .filter(java.util.Objects::nonNull).findFirst().orElseThrow(() -> new InvalidInputException("opt " + OverlayOptions.UNDERLAY,
                            null, "is required here: " + host.netns().describe() + " has no IPv4 default route to take the device of"));
        }
        IfName name = dev;
        Link link = host.links().find(LinkRef.name(dev)).orElseThrow(() -> new InvalidInputException("opt " + OverlayOptions.UNDERLAY,
                name.value(), "is no link of " + host.netns().describe()));
        InetAddress ip = host.addresses().list(LinkRef.name(dev), Family.INET).stream().map(IpPrefix::address).findFirst()
                .orElseThrow(() -> new InvalidInputException("opt " + OverlayOptions.UNDERLAY, name.value(), "has no IPv4 address"));
        if (link.mtu() - OVERHEAD < 68) {
            throw new InvalidInputException("opt " + OverlayOptions.UNDERLAY, name.value(), "has an MTU of " + link.mtu() + ", too small for VXLAN");
        }
        return new Underlay(name, ip, link.mtu());
    }

    record Underlay(IfName device, InetAddress address, int mtu) {
    }

    /** A MAC of the node's own for its VTEP: 02, then 40 bits of SHA-256 of the network and the node (the same after a restart). */
    static MacAddress vtepMac(String network, String node) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(("patchbay overlay " + network + "\0" + node).getBytes(StandardCharsets.UTF_8));
            return MacAddress.of(new byte[] {0x02, h[0], h[1], h[2], h[3], h[4]});
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /**
     * The VXLAN device on the underlay (learning off: the forwarding entries come from etcd) with the VTEP address (the
     * subnet's first, at the network's length, so every other VTEP is on its link), the bridge with the subnet's gateway,
     * forwarding; then, in this process, the lease kept and the peers programmed.
     */
    @Override
    public void setUpNetwork(NetworkContext ctx) {
        NetworkConfig config = ctx.config();
        OverlayOptions o = OverlayOptions.of(config);
        IpPrefix subnet = o.nodeSubnet();
        if (subnet == null) {
            throw new NotFoundException("network \"" + config.name() + "\" records no subnet of this node (" + OverlayOptions.NODE_SUBNET + ")");
        }
        NetnsHandle host = ctx.host();
        Underlay u = underlay(host, o);
        int mtu = u.mtu() - OVERHEAD;
        IfName vx = vxlan(o.network());
        IfName br = bridge(o.network());
        MacAddress mac = vtepMac(o.network(), o.node());
        host.links().ensure(new LinkSpec.Other(vx, "vxlan", null, null, mtu, mac, List.of(
                new LinkSpec.Attr(IFLA_VXLAN_ID, LinkSpec.Attr.As.U32, (long) o.vni()),
                new LinkSpec.Attr(IFLA_VXLAN_LOCAL, LinkSpec.Attr.As.ADDRESS, u.address()),
                new LinkSpec.Attr(IFLA_VXLAN_LEARNING, LinkSpec.Attr.As.U8, 0L),
                new LinkSpec.Attr(IFLA_VXLAN_PORT, LinkSpec.Attr.As.BE16, (long) o.port()))));
        host.addresses().ensure(LinkRef.name(vx), IpPrefix.of(subnet.network().address(), o.cluster().length()));
        host.links().setUp(LinkRef.name(vx), true);
        host.links().ensure(new LinkSpec.Bridge(br, mtu, vtepMac(o.network(), o.node() + "\0bridge")));
        host.addresses().ensure(LinkRef.name(br), OverlayOptions.gateway(subnet));
        host.links().setUp(LinkRef.name(br), true);
        host.sysctl().ensure("net.ipv4.ip_forward", "1");
        Keeper running = keepers.get(o.network());
        if (running != null) {
            running.reprogram(); // a repair: etcd read again, the peers' entries someone deleted put back, stale ones removed
        } else if (ctx.stack() == stack) {
            keep(ctx, o, u, mac);
        }
    }

    private void keep(NetworkContext ctx, OverlayOptions o, Underlay u, MacAddress mac) {
        OverlayStore store = store(o);
        Optional<Peer> had = store.node(o.node());
        long lease;
        if (had.isPresent() && had.get().subnet().equals(o.nodeSubnet()) && store.etcd().keepAlive(had.get().lease()) > 0) {
            lease = had.get().lease();
        } else if (had.isPresent() && !had.get().subnet().equals(o.nodeSubnet())) {
            throw new AlreadyExistsException("node \"" + o.node() + "\" holds " + had.get().subnet() + " of network \"" + o.network()
                    + "\" in etcd, not " + o.nodeSubnet() + " as recorded here: another node has that name?");
        } else {
            lease = store.retake(o, o.nodeSubnet());
        }
        Keeper k = new Keeper(store, o, ctx.host(), vxlan(o.network()), new Peer(o.node(), o.nodeSubnet(), u.address(), mac, lease), lease,
                m -> System.err.println("patchbay: " + m), leased -> fence(ctx.host().netns(), o, leased));
        k.start();
        keepers.put(o.network(), k);
    }

    /** The owner of a network's VXLAN port rule: kept by its keeper, apart from the network's own rules (which follow no lease). */
    static dev.patchbay.core.firewall.RulesetOwner fenceOwner(String network) {
        return dev.patchbay.core.firewall.RulesetOwner.of("overlay:" + network);
    }

    /** The VXLAN port of the node taking packets only from {@code leased}, the underlay addresses holding a lease now. */
    private void fence(dev.patchbay.core.model.NetnsRef host, OverlayOptions o, List<InetAddress> leased) {
        if (firewall != null) {
            firewall.host(stateDir, host).apply(dev.patchbay.core.firewall.Ruleset.of(fenceOwner(o.network()), new Rule.TunnelPeers(o.port(), leased)));
        }
    }

    /**
     * The bridge and the VXLAN device, up, the lease kept in this process, each peer's route, neighbour and forwarding entry
     * and no entry of another node, the peers as this process's keeper knows them (no read of etcd: health stays cheap, and
     * {@link OverlayDoctor} compares with etcd read now).
     */
    @Override
    public List<String> checkNetwork(NetworkContext ctx) {
        List<String> missing = new ArrayList<>();
        String net = ctx.config().name();
        for (IfName n : List.of(bridge(net), vxlan(net))) {
            Optional<Link> l = ctx.host().links().find(LinkRef.name(n));
            if (l.isEmpty() || !l.get().up()) {
                missing.add("interface \"" + n + "\"" + (l.isEmpty() ? "" : " up"));
            }
        }
        Keeper k = keepers.get(net);
        if (k == null) {
            missing.add("etcd lease kept by this process");
        } else {
            missing.addAll(PeerRoutes.missing(ctx.host(), vxlan(net), k.peers()));
            missing.addAll(PeerRoutes.stale(ctx.host(), vxlan(net), k.peers()));
        }
        return missing;
    }

    /** Stops keeping the lease, gives it up in etcd (the last node takes the definition with it), deletes the devices. */
    @Override
    public void tearDownNetwork(NetworkContext ctx, ErrorCollector errors) {
        String net = ctx.config().name();
        if (stack == null || ctx.stack() == stack) { // not a dry run's: that one leaves the keeper, the rule and the lease be
            Keeper k = keepers.remove(net);
            if (k != null) {
                k.close();
            }
            if (firewall != null) {
                errors.run("remove the VXLAN port rule of network \"" + net + "\"", () -> firewall.host(stateDir, ctx.host().netns()).remove(fenceOwner(net)));
            }
            errors.run("release the etcd lease of network \"" + net + "\"", () -> {
                OverlayOptions o = OverlayOptions.of(ctx.config());
                store(o).release(o.node());
            });
        }
        for (IfName n : List.of(vxlan(net), bridge(net))) {
            errors.run("delete link \"" + n + "\"", () -> {
                try {
                    ctx.host().links().delete(LinkRef.name(n));
                } catch (NotFoundException gone) {
                    // what was wanted
                }
            });
        }
    }

    /** Forwarding for the bridge; masquerade for the cluster's traffic leaving it, none inside it (pod to pod). */
    @Override
    public void networkRules(NetworkContext ctx, List<Rule> rules) {
        OverlayOptions o = OverlayOptions.of(ctx.config());
        rules.add(new Rule.BridgeForward(bridge(o.network()), o.nodeSubnet() == null ? List.of() : List.of(o.nodeSubnet())));
        rules.add(new Rule.Masquerade(o.cluster(), null));
    }

    /** A veth pair onto the bridge, the container's end named as asked, its address at the node subnet's length, the default route via the bridge. */
    @Override
    public Attachment setUp(NetworkContext ctx, AttachRequest request, Attachment previous) {
        OverlayOptions o = OverlayOptions.of(ctx.config());
        NetnsHandle host = ctx.host();
        int mtu = host.links().get(LinkRef.name(vxlan(o.network()))).mtu();
        IfName hostIf = new IfName(hostLinkName(o.network(), request.containerId()));
        host.links().add(new LinkSpec.Veth(hostIf, request.ifName(), request.container(), mtu, null, request.mac()));
        host.links().setMaster(LinkRef.name(hostIf), LinkRef.name(bridge(o.network())));
        host.links().setUp(LinkRef.name(hostIf), true);
        List<IpPrefix> addresses = new ArrayList<>();
        for (IpPrefix a : previous == null ? List.<IpPrefix>of() : previous.addresses()) {
            addresses.add(a.isV4() ? IpPrefix.of(a.address(), o.nodePrefix()) : a);
        }
        try (NetnsHandle ctr = ctx.stack().open(request.container())) {
            LinkRef eth = LinkRef.name(request.ifName());
            ctr.links().setUp(LinkRef.name("lo"), true);
            for (IpPrefix a : addresses) {
                ctr.addresses().add(eth, a);
            }
            ctr.links().setUp(eth, true);
            if (ctr.routes().list(Family.INET, null).stream().noneMatch(Route::isDefault) || request.defaultRoute()) {
                ctr.routes().replace(Route.defaultVia(OverlayOptions.gateway(o.nodeSubnet()).address()));
            }
            return new Attachment(o.network(), request.containerId(), request.container().path().toString(), request.ifName(), hostIf,
                    ctr.links().get(eth).mac(), addresses, request.ports());
        }
    }

    @Override
    public void tearDown(NetworkContext ctx, Attachment attachment, ErrorCollector errors) {
        IfName hostIf = attachment.hostIf() != null ? attachment.hostIf()
                : new IfName(hostLinkName(ctx.config().name(), attachment.containerId()));
        errors.run("delete link \"" + hostIf + "\"", () -> {
            try {
                ctx.host().links().delete(LinkRef.name(hostIf));
            } catch (NotFoundException gone) {
                // what was wanted
            }
        });
    }

    /** The host end of an attachment's veth pair, fixed by network and container id (found again after a crash). */
    static String hostLinkName(String network, String containerId) {
        CRC32 crc = new CRC32();
        crc.update((network + "\0" + containerId).getBytes(StandardCharsets.UTF_8));
        return String.format("vo%08x", crc.getValue());
    }

    /** This node's lease and the peers it programs, for inspect; empty when no keeper runs here. */
    Optional<Keeper> keeper(String network) {
        return Optional.ofNullable(keepers.get(network));
    }

    @Deactivate
    void deactivate() {
        keepers.values().forEach(Keeper::close); // the leases run out on their own unless the daemon comes back first
        keepers.clear();
    }
}
