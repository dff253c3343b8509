package dev.patchbay.cni;

import com.google.gson.JsonObject;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import dev.patchbay.core.spi.NetnsHandle;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A CNI type that an installed driver serves through {@link NetworkPlugin#cniOptions} (a third party's as well as
 * Patchbay's own, e.g. the macvlan example's {@code macvlan}): the configuration is a network of that driver
 * ({@link DriverConf}); ADD and DEL: {@link NetworkVerbs}; CHECK asks the chain's own checks of the network and of the
 * attachment ({@link NetworkPlugin#checkNetwork}, {@link NetworkPlugin#check}), then the container against
 * {@code prevResult}; GC releases what no valid attachment holds; STATUS: the IPAM and the firewall backend, the driver's
 * {@code validate} for a network not made yet, its {@code checkNetwork} (51) and the free addresses (50) for one that is.
 * Patchbay's own {@code bridge} (plugins-bridge) is served this way like any other driver.
 */
record CniDriver(String type, NetworkPlugin driver) implements CniPlugin {

    @Override
    public String call(CniCall call, CniContext ctx) {
        return switch (call.verb()) {
            case "ADD" -> NetworkVerbs.add(call, ctx, () -> conf(call, ctx), (conf, net, a, sandbox) -> result(ctx, conf, net, a, sandbox));
            case "DEL" -> NetworkVerbs.del(call, ctx, () -> conf(call, ctx));
            case "CHECK" -> NetworkChecks.check(call, ctx, conf(call, ctx), this::chain);
            case "GC" -> NetworkChecks.gc(call, ctx, conf(call, ctx));
            default -> status(call, ctx, conf(call, ctx));
        };
    }

    /**
     * The configuration as a network; the chain's options are the driver's and those of its default chain that are installed.
     * One with no {@code ipam} naming a network of this driver that exists, which the driver maps to no options, is that
     * network as created ({@link ExistingConf}: the overlay's, made by {@code network create --driver overlay}).
     */
    NetworkConf conf(CniCall call, CniContext ctx) {
        Conf c = Conf.root(call.config());
        if (c.object("ipam") == null && namesOnly(c)) {
            Optional<NetworkConfig> net = ctx.networks().find(call.network());
            if (net.isPresent()) {
                return ExistingConf.of(type, net.get(), ctx.stateDir());
            }
            if (call.verb().equals("ADD") || call.verb().equals("STATUS")) {
                throw CniError.config("name", call.network(), "names no network of this node: a configuration of type " + type
                        + " without ipam attaches to one made beforehand (patchbay network create " + call.network() + " --driver " + type + " ...)");
            }
            // DEL, GC and CHECK of a network that does not exist: nothing of it to delete, collect or check (they say so)
            return ExistingConf.of(type, new NetworkConfig(call.network(), type, List.of(), dev.patchbay.core.model.IpPrefix.parse("0.0.0.0/0"),
                    null, null, null, Map.of()), ctx.stateDir());
        }
        return driverConf(call, ctx);
    }

    /** Whether the driver maps this configuration to no options at all (it takes none from CNI: the network is made beforehand). */
    private boolean namesOnly(Conf c) {
        try {
            Map<String, String> options = Mapping.of(type, () -> driver.cniOptions(DriverConf.object(c.json())));
            return options != null && options.isEmpty();
        } catch (RuntimeException notSoOrWrong) { // said again, in its place, by the full mapping
            return false;
        }
    }

    private DriverConf driverConf(CniCall call, CniContext ctx) {
        Set<String> chainOptions = new TreeSet<>(driver.options().keySet());
        for (String t : driver.defaultChain()) {
            ctx.manager().installed(t).ifPresent(p -> chainOptions.addAll(p.options().keySet()));
        }
        return DriverConf.parse(type, driver, chainOptions, call.network(), Conf.root(call.config()), ctx.ipam());
    }

    private NetworkContext context(CniContext ctx, NetworkConfig net) {
        return new NetworkContext(ctx.host(), ctx.stack(), net, driver.hostInterface(net));
    }

    /** What each plugin of the network's chain finds missing of the network and of the attachment. */
    private void chain(CniContext ctx, NetworkConfig net, Attachment a, List<String> missing) {
        NetworkContext nc = context(ctx, net);
        for (String t : net.chain()) {
            Optional<NetworkPlugin> p = t.equals(type) ? Optional.of(driver) : ctx.manager().installed(t);
            if (p.isEmpty()) {
                missing.add("plugin \"" + t + "\" of the chain is not installed");
                continue;
            }
            missing.addAll(p.get().checkNetwork(nc));
            missing.addAll(p.get().check(nc, a));
        }
    }

    private String status(CniCall call, CniContext ctx, NetworkConf conf) {
        call.require("CNI_PATH");
        if (ctx.ipam() == null) {
            throw new CniError(CniError.NOT_AVAILABLE, "no IPAM service is installed");
        }
        NetworkChecks.requireFirewall(ctx);
        Optional<NetworkConfig> net = ctx.networks().find(conf.network().name());
        try {
            if (net.isEmpty()) {
                driver.validate(context(ctx, conf.network()), ctx.networks().list());
                return "";
            }
            conf.requireSame(net.get());
        } catch (PatchbayException | CniError e) {
            throw new CniError(CniError.NOT_AVAILABLE, e.getMessage(), e instanceof CniError c ? c.details() : "");
        }
        List<String> missing = driver.checkNetwork(context(ctx, net.get()));
        if (!missing.isEmpty()) {
            throw new CniError(CniError.LIMITED, "network \"" + net.get().name() + "\" lacks " + String.join(", ", missing));
        }
        NetworkChecks.requireFree(ctx, conf, net.get());
        return "";
    }

    /**
     * The result: the driver's host interface and the attachment's host end when it has them (a bridge and its veth),
     * then the container's interface; the routes {@code ipam.routes} names, as written, and those via a gateway the
     * container's interface holds now (the driver made them) to a destination {@code ipam.routes} does not name.
     */
    private JsonObject result(CniContext ctx, NetworkConf conf, NetworkConfig net, Attachment a, String sandbox) {
        Map<Boolean, InetAddress> gateways = new HashMap<>();
        List<IpamConf.RouteConf> routes = routes(ctx, sandbox, a, conf.ipam().routes());
        InetAddress gw4 = net.gateway();
        InetAddress networkGateway = gw4;
        if (gw4 != null && a.addresses().stream().filter(dev.patchbay.core.model.IpPrefix::isV4).noneMatch(p -> p.contains(networkGateway))) {
            // a driver whose containers' gateway is not the network's (the overlay's: its node subnet's): the one it routes them by
            gw4 = routes.stream().filter(r -> r.gw() instanceof java.net.Inet4Address && r.dst().length() == 0).map(IpamConf.RouteConf::gw)
                    .findFirst().orElse(null);
        }
        gateways.put(true, gw4);
        gateways.put(false, net.gateway6());
        List<Results.Iface> ifaces = new ArrayList<>();
        IfName hostInterface = driver.hostInterface(net);
        for (IfName host : java.util.Arrays.asList(hostInterface, a.hostIf())) {
            if (host != null) {
                ifaces.add(new Results.Iface(host.value(), ctx.host().links().find(LinkRef.name(host)).map(l -> l.mac() == null ? null : l.mac().value()).orElse(null), null));
            }
        }
        ifaces.add(new Results.Iface(a.ifName().value(), a.mac() == null ? null : a.mac().value(), sandbox));
        return Results.added(ifaces, a.addresses(), gateways, routes, conf.dns());
    }

    private static List<IpamConf.RouteConf> routes(CniContext ctx, String sandbox, Attachment a, List<IpamConf.RouteConf> configured) {
        List<IpamConf.RouteConf> out = new ArrayList<>(configured);
        try (NetnsHandle ctr = ctx.stack().open(NetnsRef.path(Path.of(sandbox)))) {
            for (Route r : ctr.routes().list(null, null)) {
                if (r.gateway() != null && (r.device() == null || r.device().equals(a.ifName()))
                        && configured.stream().noneMatch(c -> c.dst().equals(r.destination().network()))) {
                    out.add(new IpamConf.RouteConf(r.destination().network(), r.gateway()));
                }
            }
            return out;
        }
    }
}
