package dev.patchbay.example.macvlan;

import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.errors.UnavailableException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import dev.patchbay.core.spi.NetnsHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/**
 * {@code network create NAME --driver macvlan --opt parent=IF [--opt mode=bridge] --subnet CIDR}: each
 * container's interface is a macvlan of the parent, an interface of the host namespace: the container gets
 * a MAC address of its own on the parent's segment, as if it were plugged into the parent's switch. No
 * bridge, no link of the network's own in the host, no NAT: the addresses are the segment's.
 *
 * <p>Modes (the kernel's): {@code bridge} (the default) lets the containers of one parent reach each other
 * directly; {@code private} keeps them apart; {@code vepa} sends their traffic to the switch out of the parent
 * (which must send it back: "hairpin"); {@code passthru} gives one container the parent itself.
 *
 * <p>The host cannot reach its own macvlans through the parent (the kernel's rule): that is macvlan, not a
 * fault of the driver.
 *
 * <p>It also serves the CNI type {@code macvlan} ({@link #cniOptions}): the reference macvlan plugin's keys
 * {@code master}, {@code mode} and {@code mtu} become its options; Patchbay serves the {@code ipam} (host-local).
 */
@Component(property = NetworkPlugin.TYPE + "=" + MacvlanDriver.TYPE)
public final class MacvlanDriver implements NetworkPlugin {
    public static final String TYPE = "macvlan";
    static final String PARENT = "parent";
    static final String MODE = "mode";
    static final String DEFAULT_MODE = "bridge";
    static final String MTU = "mtu";
    /** The modes the kernel knows, in the order of their IFLA_MACVLAN_MODE bits (1, 2, 4, 8). */
    static final List<String> MODES = List.of("private", "vepa", "bridge", "passthru");
    /** macvlan's IFLA_INFO_DATA attribute for the mode (linux/if_link.h), a u32. */
    static final int IFLA_MACVLAN_MODE = 1;

    @Override
    public Map<String, String> options() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put(PARENT, "the host interface the containers' macvlans hang off (required), e.g. eth0");
        o.put(MODE, "bridge (default: containers of one parent reach each other), private, vepa or passthru");
        o.put(MTU, "the containers' MTU, 68..65535 (default: the parent's)");
        return o;
    }

    /**
     * A CNI configuration of type {@code macvlan} as this driver's options: {@code master} (required here: the
     * reference plugin's fallback, the interface of the default route, is the host's to choose) → parent,
     * {@code mode} → mode, {@code mtu} → mtu (0: the parent's). {@code linkInContainer} (a master inside the
     * container) and {@code ipam.routes} other than default routes are not served: the call goes on to the reference
     * plugin on CNI_PATH.
     */
    @Override
    public Map<String, String> cniOptions(Map<String, Object> conf) {
        if (Boolean.TRUE.equals(conf.get("linkInContainer"))) {
            return null;
        }
        if (conf.get("ipam") instanceof Map<?, ?> ipam && ipam.get("routes") instanceof List<?> routes) {
            for (Object r : routes) { // Patchbay checked ipam.routes already: each has a dst
                IpPrefix dst = IpPrefix.parse("ipam.routes", String.valueOf(((Map<?, ?>) r).get("dst"))).network();
                if (dst.length() != 0) { // not served: the call goes on to the reference macvlan, the key named
                    throw new UnavailableException("a route to " + dst + " (this driver makes the container's default routes only)",
                            new InvalidInputException("ipam.routes", dst, "is not a default route"));
                }
            }
        }
        Map<String, String> o = new LinkedHashMap<>();
        if (!(conf.get("master") instanceof String master) || master.isEmpty()) {
            throw new InvalidInputException("master", conf.get("master"), "must name the host interface the macvlans hang off");
        }
        o.put(PARENT, master);
        Object mode = conf.get("mode");
        if (mode != null && !(mode instanceof String m && MODES.contains(m))) {
            throw new InvalidInputException("mode", mode, "must be one of " + String.join(", ", MODES));
        }
        if (mode != null) {
            o.put(MODE, (String) mode);
        }
        Object mtu = conf.get("mtu");
        if (mtu != null && !(mtu instanceof Long n && (n == 0 || n >= 68 && n <= 65535))) {
            throw new InvalidInputException("mtu", mtu, "must be a whole number in 68..65535 (or 0: the parent's)");
        }
        if (mtu != null && (Long) mtu != 0) {
            o.put(MTU, mtu.toString());
        }
        return o;
    }

    @Override
    public Map<String, String> defaults(NetworkConfig config) {
        return Map.of(MODE, DEFAULT_MODE); // recorded with the network: a later default cannot change it
    }

    @Override
    public void validate(NetworkContext ctx, List<NetworkConfig> others) {
        NetworkConfig config = ctx.config();
        IfName parent = parent(config);
        String mode = mode(config);
        mtu(config);
        Link link = ctx.host().links().find(LinkRef.name(parent)).orElseThrow(() -> new InvalidInputException("opt " + PARENT,
                parent, "is no interface of " + ctx.host().netns().describe() + " (see patchbay macvlan ls)"));
        if (link.name().value().equals("lo")) {
            throw new InvalidInputException("opt " + PARENT, parent, "is the loopback interface: a macvlan needs an Ethernet parent");
        }
        for (NetworkConfig other : others) {
            if (TYPE.equals(other.driver()) && other.option(PARENT).map(parent.value()::equals).orElse(false)
                    && ("passthru".equals(mode) || "passthru".equals(other.option(MODE).orElse(DEFAULT_MODE)))) {
                throw new InvalidInputException("opt " + PARENT, parent, "is the parent of network \"" + other.name()
                        + "\" already, and a passthru macvlan needs its parent to itself");
            }
        }
    }

    /**
     * Creates the container's interface as a macvlan of the parent, directly in the container's namespace
     * under its final name, then gives it the addresses IPAM allocated and a default route via the gateway.
     * If a step fails, the orchestrator calls {@link #tearDown} with {@code previous}, which removes the link.
     */
    @Override
    public Attachment setUp(NetworkContext ctx, AttachRequest request, Attachment previous) {
        NetworkConfig config = ctx.config();
        IfName ifName = request.ifName();
        ctx.host().links().add(spec(config, ifName, request.container(), request.mac()));
        try (NetnsHandle ctr = ctx.stack().open(request.container())) {
            configure(ctr, config, ifName, previous.addresses());
            return new Attachment(config.name(), request.containerId(), request.container().path().toString(), ifName, null,
                    ctr.links().get(LinkRef.name(ifName)).mac(), previous.addresses(), previous.ports());
        }
    }

    /** The parent is the network's only part in the host: it must be there (it is the operator's, never made here). */
    @Override
    public List<String> checkNetwork(NetworkContext ctx) {
        IfName parent = parent(ctx.config());
        return ctx.host().links().find(LinkRef.name(parent)).isPresent() ? List.of() : List.of("parent \"" + parent + "\"");
    }

    /** Nothing of the network's own to make; a parent that is gone cannot be made again here. */
    @Override
    public void setUpNetwork(NetworkContext ctx) {
        IfName parent = parent(ctx.config());
        if (ctx.host().links().find(LinkRef.name(parent)).isEmpty()) {
            throw new NotFoundException("parent \"" + parent + "\" of network \"" + ctx.config().name() + "\" is missing from "
                    + ctx.host().netns().describe() + ": make it again, or remove the network");
        }
    }

    /** CNI's CHECK of an attachment: its macvlan in the container, up, with its addresses. */
    @Override
    public List<String> check(NetworkContext ctx, Attachment attachment) {
        if (attachment.netnsPath() == null || attachment.netnsPath().isEmpty()) {
            return List.of();
        }
        IfName ifName = attachment.ifName();
        try (NetnsHandle ctr = ctx.stack().open(NetnsRef.path(Path.of(attachment.netnsPath())))) {
            Optional<Link> eth = ctr.links().find(LinkRef.name(ifName));
            if (eth.isEmpty() || !TYPE.equals(eth.get().kind())) {
                return List.of("macvlan \"" + ifName + "\"");
            }
            List<String> missing = new ArrayList<>();
            if (!eth.get().up()) {
                missing.add("macvlan \"" + ifName + "\" up");
            }
            List<IpPrefix> held = ctr.addresses().list(LinkRef.index(eth.get().index()), null);
            attachment.addresses().stream().filter(a -> !held.contains(a)).forEach(a -> missing.add("address " + a + " on \"" + ifName + "\""));
            return missing;
        } catch (NotFoundException gone) {
            return List.of(); // the container went meanwhile: the orchestrator's own look says so
        }
    }

    /**
     * Makes the container's macvlan again as recorded (its MAC, addresses, routes); what is there is kept. False when
     * another kind of link holds its name: then the orchestrator tears down and sets up anew.
     */
    @Override
    public boolean repair(NetworkContext ctx, Attachment attachment) {
        if (attachment.netnsPath() == null || attachment.netnsPath().isEmpty()) {
            return false;
        }
        NetworkConfig config = ctx.config();
        NetnsRef container = NetnsRef.path(Path.of(attachment.netnsPath()));
        IfName ifName = attachment.ifName();
        try (NetnsHandle ctr = ctx.stack().open(container)) {
            Optional<Link> eth = ctr.links().find(LinkRef.name(ifName));
            if (eth.isPresent() && !TYPE.equals(eth.get().kind())) {
                return false;
            }
            if (eth.isEmpty()) {
                ctx.host().links().add(spec(config, ifName, container, attachment.mac()));
            }
            configure(ctr, config, ifName, attachment.addresses());
            return true;
        }
    }

    /** The container's side of its macvlan, idempotent: its addresses, it and loopback up, default routes via the gateways. */
    private static void configure(NetnsHandle ctr, NetworkConfig config, IfName ifName, List<IpPrefix> addresses) {
        LinkRef eth = LinkRef.name(ifName);
        for (IpPrefix address : addresses) {
            ctr.addresses().ensure(eth, address);
        }
        ctr.links().setUp(LinkRef.name("lo"), true);
        ctr.links().setUp(eth, true);
        if (config.gateway() != null) {
            ctr.routes().replace(Route.defaultVia(config.gateway()));
        }
        if (config.subnet6() != null && config.gateway6() != null) {
            ctr.routes().replace(Route.defaultVia(config.gateway6()));
        }
    }

    /** Deletes the container's macvlan; a namespace or a link already gone counts as done. */
    @Override
    public void tearDown(NetworkContext ctx, Attachment attachment, ErrorCollector errors) {
        String path = attachment.netnsPath();
        if (path == null || path.isEmpty()) {
            return; // only the names are known (after a crash): the link went with its namespace, or is not ours to find
        }
        NetnsRef container = NetnsRef.path(Path.of(path));
        errors.run("delete macvlan \"" + attachment.ifName() + "\" in " + container.describe(), () -> {
            try (NetnsHandle ctr = ctx.stack().open(container)) { // NotFoundException when the namespace is gone: done
                LinkRef eth = LinkRef.name(attachment.ifName());
                ctr.links().find(eth).filter(l -> TYPE.equals(l.kind())).ifPresent(l -> ctr.links().delete(eth));
            }
        });
    }

    static IfName parent(NetworkConfig config) {
        String parent = config.option(PARENT).orElseThrow(() -> new InvalidInputException("opt " + PARENT, null,
                "is required: the host interface the containers' macvlans hang off (--opt parent=IF)"));
        try {
            return IfName.of(parent);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("opt " + PARENT, parent, e.getMessage());
        }
    }

    static Integer mtu(NetworkConfig config) {
        return config.number(MTU, 68, 65535);
    }

    /** The container's macvlan, made directly in {@code container} on the parent, with the network's mode. */
    static LinkSpec spec(NetworkConfig config, IfName ifName, NetnsRef container, dev.patchbay.core.model.MacAddress mac) {
        long bit = 1L << MODES.indexOf(mode(config));
        return new LinkSpec.Other(ifName, TYPE, LinkRef.name(parent(config)), container, mtu(config), mac,
                List.of(new LinkSpec.Attr(IFLA_MACVLAN_MODE, LinkSpec.Attr.As.U32, bit)));
    }

    static String mode(NetworkConfig config) {
        String mode = config.option(MODE).orElse(DEFAULT_MODE);
        if (!MODES.contains(mode)) {
            throw new InvalidInputException("opt " + MODE, mode, "must be one of " + String.join(", ", MODES));
        }
        return mode;
    }
}
