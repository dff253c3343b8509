package dev.patchbay.plugin.bridge;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkChange;
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
import dev.patchbay.core.spi.NetworkStack;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * The tutorials' bridge network, the driver of a chain: a Linux bridge holding the gateway address(es),
 * and per container a veth pair whose peer is created directly in the container's namespace under its
 * final name ({@code eth0}), with the container's addresses, loopback up and default routes via the
 * gateway(s).
 */
@Component(property = {NetworkPlugin.TYPE + "=bridge", NetworkPlugin.DEFAULT_DRIVER + ":Boolean=true",
        NetworkPlugin.FLAGS + "=bridge=BR", NetworkPlugin.FLAGS + "=mtu=N"})
public final class BridgePlugin implements NetworkPlugin {
    static final String BRIDGE = "bridge";
    static final String MTU = "mtu";
    static final String HAIRPIN = "hairpin";
    static final String PROMISC = "promisc";
    static final String GATEWAY_ON_BRIDGE = "gateway-on-bridge";
    static final String ROUTES = "routes";
    static final String DAD = "dad";

    @Reference
    NetworkStack stack;

    /** In a daemon: the veth pairs of detaches, deleted in the background ({@link LinkReaper}); null: deleted at once. */
    volatile LinkReaper reaper;

    @Activate
    void activate(BundleContext ctx) {
        if (LinkReaper.wanted(ctx.getProperty("patchbay.daemon"), ctx.getProperty(LinkReaper.PROPERTY))) {
            reaper = new LinkReaper(stack, true);
        }
    }

    /** Deletes what is still queued before the bundle stops. */
    @Deactivate
    void deactivate() {
        LinkReaper r = reaper;
        reaper = null;
        if (r != null) {
            r.close();
        }
    }

    @Override
    public Map<String, String> options() {
        return Map.of(BRIDGE, "name of the bridge (default: pb-NAME, cut to 15 bytes)",
                DAD, "true: a container's IPv6 addresses go through duplicate address detection, tentative for a second or"
                        + " more (default: false, usable at once, as the CNI bridge plugin's enabledad false)",
                MTU, "MTU of the bridge and the container links, 68..65535 (default: the kernel's)",
                HAIRPIN, "true: every container's port reflects frames back to it (default: only ports of containers publishing ports)",
                PROMISC, "true: the bridge is in promiscuous mode (default: false)",
                GATEWAY_ON_BRIDGE, "false: the bridge holds no gateway address, the gateway is a router on the segment (default: true)",
                ROUTES, "the container's routes, DST or DST via GW joined by ',' (GW default: the gateway), or none "
                        + "(default: a default route via each gateway)");
    }

    @Override
    public Map<String, String> defaults(NetworkConfig config) {
        return Map.of(BRIDGE, defaultBridge(config.name()));
    }

    @Override
    public List<String> defaultChain() {
        return List.of("firewall", "portmap", "dns");
    }

    /** The CNI type {@code bridge}: the reference bridge plugin's keys as this chain's options ({@link BridgeCni}). */
    @Override
    public Map<String, String> cniOptions(Map<String, Object> conf) {
        return BridgeCni.options(conf);
    }

    @Override
    public IfName hostInterface(NetworkConfig config) {
        return bridge(config);
    }

    @Override
    public void validate(NetworkContext ctx, List<NetworkConfig> others) {
        NetworkConfig config = ctx.config();
        mtu(config);
        config.flag(HAIRPIN, false);
        config.flag(DAD, false);
        config.flag(GATEWAY_ON_BRIDGE, true);
        if (config.flag(PROMISC, false) && config.flag(HAIRPIN, false)) {
            throw new InvalidInputException(PROMISC, "true", "cannot go with hairpin=true (a promiscuous bridge would see its own frames reflected)");
        }
        routes(config);
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

    /**
     * The bridge's MAC, set when it is made, so that the kernel never moves it to its lowest port's (as it does with a
     * MAC it chose itself): the gateway keeps its MAC while containers come and go, as the reference bridge plugin's
     * does. Derived from the network's name, so a restart, a rebuild or a repair makes the same one: locally
     * administered unicast (02 in the first byte), then 40 bits of SHA-256 of the name.
     */
    static MacAddress stableMac(String network) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(("patchbay bridge " + network).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return MacAddress.of(new byte[] {0x02, h[0], h[1], h[2], h[3], h[4]});
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    @Override
    public void setUpNetwork(NetworkContext ctx) {
        NetworkConfig config = ctx.config();
        NetnsHandle host = ctx.host();
        IfName bridge = bridge(config);
        LinkRef br = LinkRef.name(bridge);
        Link link = host.links().ensure(new LinkSpec.Bridge(bridge, mtu(config), stableMac(config.name())));
        if (!"bridge".equals(link.kind())) {
            throw new AlreadyExistsException("failed to create bridge \"" + bridge + "\": a " + link.kind() + " link has that name");
        }
        boolean onBridge = config.flag(GATEWAY_ON_BRIDGE, true);
        if (config.gatewayAddress() != null && onBridge) {
            host.addresses().ensure(br, config.gatewayAddress());
        }
        if (config.flag(PROMISC, false)) {
            host.links().set(LinkRef.index(link.index()), new LinkChange(null, true, null, null));
        }
        if (config.subnet6() != null) {
            host.sysctl().ensure("net/ipv6/conf/" + bridge + "/accept_dad", "0"); // slashes: a name may hold dots
            if (config.gateway6Address() != null && onBridge) {
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

    /** What {@link #setUpNetwork} makes that the kernel lacks: the bridge, up, its gateway addresses, forwarding. */
    @Override
    public List<String> checkNetwork(NetworkContext ctx) {
        return BridgeHealth.checkNetwork(ctx);
    }

    /** Its bridge, when a network's record is lost: from its forward rules, its ports in the kernel, or its default name. */
    @Override
    public Map<String, String> recover(NetnsHandle host, String name, List<Rule> rules, List<Attachment> attachments) {
        return BridgeHealth.recover(host, name, rules, attachments);
    }

    @Override
    public void tearDownNetwork(NetworkContext ctx, ErrorCollector errors) {
        IfName bridge = bridge(ctx.config());
        errors.run("delete bridge \"" + bridge + "\"", () -> ctx.host().links().delete(LinkRef.name(bridge)));
    }

    /** The container's interface name is free there: else the veth would fail naming a link it cannot tell apart. */
    @Override
    public void validate(NetworkContext ctx, AttachRequest request) {
        if (ctx.host().links().find(LinkRef.name(hostLinkName(ctx.config().name(), request.containerId()))).isPresent()) {
            return; // the container is plugged in already (a publish checks its ports): the name is its own veth's
        }
        try (NetnsHandle ctr = ctx.stack().open(request.container())) {
            if (ctr.links().find(LinkRef.name(request.ifName())).isPresent() && !flushed(ctx, ctr, request.ifName())) {
                throw new AlreadyExistsException("failed to attach \"" + request.containerId() + "\" to network \"" + request.network()
                        + "\": its namespace has an interface \"" + request.ifName() + "\" already (another network's?); name a free"
                        + " one with --ifname, or leave --ifname out to take the next free ethN");
            }
        }
    }

    @Override
    public Attachment setUp(NetworkContext ctx, AttachRequest request, Attachment previous) {
        NetworkConfig config = ctx.config();
        NetnsHandle host = ctx.host();
        List<IpPrefix> addresses = previous == null ? List.of() : previous.addresses();
        Integer mtu = mtu(config);
        IfName hostIf = new IfName(hostLinkName(config.name(), request.containerId()));
        LinkSpec.Veth veth = new LinkSpec.Veth(hostIf, request.ifName(), request.container(), mtu, null, request.mac());
        try {
            host.links().add(veth);
        } catch (AlreadyExistsException taken) {
            if (!cleared(ctx, host, hostIf)) {
                throw taken;
            }
            host.links().add(veth); // a detach's pair was still waiting for its deletion: gone now
        }
        LinkRef hostRef = LinkRef.name(hostIf);
        host.links().setMaster(hostRef, LinkRef.name(bridge(config)));
        if (!request.ports().isEmpty() || config.flag(HAIRPIN, false)) {
            host.links().setBridgePort(hostRef, true, null); // a container reaching its own published port
        }
        host.links().setUp(hostRef, true);
        Link peer;
        try (NetnsHandle ctr = ctx.stack().open(request.container())) {
            LinkRef eth = LinkRef.name(request.ifName());
            if (config.subnet6() == null) {
                withoutIpv6(ctr, request.ifName());
            } else if (!config.flag(DAD, false)) {
                ctr.sysctl().set("net/ipv6/conf/" + request.ifName().value() + "/accept_dad", "0"); // before its addresses
            }
            ctr.links().setUp(LinkRef.name("lo"), true);
            for (IpPrefix a : addresses) {
                ctr.addresses().add(eth, a);
            }
            ctr.links().setUp(eth, true);
            if (config.option(ROUTES).isPresent()) {
                routes(ctr, config, addresses, request.ifName(), request.defaultRoute());
            } else {
                defaultRoutes(ctr, config, addresses, request.defaultRoute());
            }
            peer = ctr.links().get(eth);
        }
        return new Attachment(config.name(), request.containerId(), request.container().path().toString(), request.ifName(),
                hostIf, peer.mac(), addresses, request.ports());
    }

    /**
     * The network's gateway as the container's default route, for each family it has an address of. A container that
     * has a default route already (its first network's) keeps it: this network adds none, unless the request makes it
     * the default ({@code attach --default-route}). Then the routes there move one metric back and this one takes the
     * front: detaching this network (its route goes with its link) leaves the earlier default in place. Never deletes a
     * default route without putting it back behind.
     */
    static void defaultRoutes(NetnsHandle ctr, NetworkConfig config, List<IpPrefix> addresses, boolean asDefault) {
        for (Family family : Family.values()) {
            InetAddress gateway = family == Family.INET ? config.gateway() : config.gateway6();
            if (gateway == null || addresses.stream().noneMatch(a -> a.family() == family)) {
                continue;
            }
            List<Route> existing = ctr.routes().list(family, null).stream().filter(Route::isDefault)
                    .sorted(java.util.Comparator.comparingInt((Route r) -> metric(r, family)).reversed()).toList();
            if (existing.isEmpty()) {
                ctr.routes().add(Route.defaultVia(gateway));
            } else if (asDefault) {
                int front = metric(existing.get(existing.size() - 1), family);
                for (Route r : existing) { // highest metric first: each moves to one that no default route holds
                    ctr.routes().add(new Route(r.destination(), r.gateway(), r.device(), r.source(), metric(r, family) + 1, r.table(), r.scope()));
                    ctr.routes().delete(r);
                }
                Route mine = Route.defaultVia(gateway);
                ctr.routes().add(new Route(mine.destination(), gateway, null, null, front, null, null));
            }
        }
    }

    /**
     * The {@value #ROUTES} option's routes, for each family the container has an address of: a default route via the
     * network's gateway as {@link #defaultRoutes} makes it (kept behind an existing one); any other with its next hop,
     * the gateway, or on the link when there is neither.
     */
    static void routes(NetnsHandle ctr, NetworkConfig config, List<IpPrefix> addresses, IfName ifName, boolean asDefault) {
        for (Route r : routes(config)) {
            Family family = r.destination().family();
            List<IpPrefix> mine = addresses.stream().filter(a -> a.family() == family).toList();
            if (mine.isEmpty()) {
                continue;
            }
            InetAddress gateway = family == Family.INET ? config.gateway() : config.gateway6();
            if (r.isDefault() && gateway != null && (r.gateway() == null || r.gateway().equals(gateway))) {
                defaultRoutes(ctr, config, mine, asDefault);
            } else {
                InetAddress via = r.gateway() != null ? r.gateway() : gateway;
                ctr.routes().replace(via == null ? Route.onLink(r.destination(), ifName)
                        : new Route(r.destination(), via, null, null, null, null, null));
            }
        }
    }

    /** The {@value #ROUTES} option parsed: {@code none}, or {@code DST[ via GW]} joined by ','. */
    static List<Route> routes(NetworkConfig config) {
        String text = config.option(ROUTES).orElse("none").strip();
        List<Route> out = new java.util.ArrayList<>();
        if (text.equals("none") || text.isEmpty()) {
            return out;
        }
        for (String one : text.split(",")) {
            String[] parts = one.strip().split("\\s+via\\s+");
            try {
                IpPrefix dst = IpPrefix.parse(ROUTES, parts[0].strip()).network();
                InetAddress via = parts.length > 1 ? dev.patchbay.core.model.IpAddresses.parse(ROUTES, parts[1].strip()) : null;
                if (parts.length > 2 || (via != null && Family.of(via) != dst.family())) {
                    throw new InvalidInputException(ROUTES, one, "expected DST or DST via GW of one family");
                }
                out.add(new Route(dst, via, null, null, null, null, null));
            } catch (InvalidInputException e) {
                throw new InvalidInputException(ROUTES, text, "\"" + one.strip() + "\" is not DST or DST via GW, e.g. 0.0.0.0/0,10.9.0.0/16 via 10.0.0.254");
            }
        }
        return out;
    }

    /** A route's metric as the kernel ranks it: unset is 0 for IPv4, 1024 for IPv6. */
    private static int metric(Route r, Family family) {
        return r.metric() != null ? r.metric() : family == Family.INET6 ? 1024 : 0;
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

    /** The container's host link is a port of the bridge, and up (a bridge made again has no ports). */
    @Override
    public List<String> check(NetworkContext ctx, Attachment attachment) {
        return BridgeHealth.check(ctx, attachment);
    }

    /** Puts the container's host link back on the bridge, up, with its hairpin mode; false when the link is gone. */
    @Override
    public boolean repair(NetworkContext ctx, Attachment attachment) {
        return BridgeHealth.repair(ctx, attachment);
    }

    @Override
    public void tearDown(NetworkContext ctx, Attachment attachment, ErrorCollector errors) {
        // deleting one end of a veth pair deletes both: the container keeps nothing of the network.
        // After a crash the record may hold no host link yet: its name follows from the network and container id
        IfName hostIf = attachment.hostIf() != null ? attachment.hostIf()
                : new IfName(hostLinkName(ctx.config().name(), attachment.containerId()));
        LinkReaper r = reaper(ctx);
        if (r != null) { // in a daemon: down now (the container loses carrier), deleted in the background
            errors.run("unplug link \"" + hostIf + "\"", () -> r.unplug(ctx.host(), hostIf));
            return;
        }
        errors.run("delete link \"" + hostIf + "\"", () -> ctx.host().links().delete(LinkRef.name(hostIf)));
    }

    /**
     * The veth's names are taken (the host end's, or the container's interface): in a daemon, the pairs detaches left
     * for deletion are deleted now (a batch the reaper's thread is deleting is waited for), and so is a down veth still
     * named {@code hostIf} (the container's own: the attach found no record of it, so a detach left it). True if the
     * set-up can try again: the host end's name is free now, whoever freed it. The thread may have finished its batch
     * between the failed add and this clear, which then finds nothing to do: the names are free all the same
     * (FirewallSwapIT's attach after a detach failed so once under load).
     */
    private boolean cleared(NetworkContext ctx, NetnsHandle host, IfName hostIf) {
        LinkReaper r = reaper(ctx);
        if (r == null) {
            return false;
        }
        r.clear(host.netns());
        java.util.Optional<Link> left = host.links().find(LinkRef.name(hostIf));
        if (left.isPresent() && "veth".equals(left.get().kind()) && !left.get().up()) {
            host.links().delete(LinkRef.index(left.get().index()));
            return true;
        }
        return left.isEmpty(); // else a live link of that name: trying again would fail the same way
    }

    /**
     * In a daemon: the container's {@code ifName} is gone once the pairs detaches left for deletion are deleted (by this
     * clear, or by the reaper's thread just before it).
     */
    private boolean flushed(NetworkContext ctx, NetnsHandle ctr, IfName ifName) {
        LinkReaper r = reaper(ctx);
        if (r == null) {
            return false;
        }
        r.clear(ctx.host().netns());
        return ctr.links().find(LinkRef.name(ifName)).isEmpty();
    }

    /**
     * The reaper, for a context on this plugin's own stack: it deletes through that stack, so a context on another one (a
     * dry run's, which records changes instead of making them) deletes at once through its own.
     */
    private LinkReaper reaper(NetworkContext ctx) {
        return ctx.stack() == stack ? reaper : null;
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
