package dev.patchbay.cni;

import com.google.gson.JsonObject;
import dev.patchbay.core.errors.PatchbayException;
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

/**
 * A CNI type that an installed driver serves through {@link NetworkPlugin#cniOptions} (a third party's as well as
 * Patchbay's own, e.g. the macvlan example's {@code macvlan}): the configuration is a network of that driver
 * ({@link DriverConf}); ADD and DEL: {@link NetworkVerbs}; CHECK asks the chain's own checks of the network and of the
 * attachment ({@link NetworkPlugin#checkNetwork}, {@link NetworkPlugin#check}), then the container against
 * {@code prevResult}; GC as for bridge; STATUS: the IPAM, the driver's {@code validate} for a network not made yet, its
 * {@code checkNetwork} (51) and the free addresses (50) for one that is. An ADD's result names the container's interface,
 * its addresses with their gateways, the routes via a gateway it holds, and the configuration's {@code dns}.
 */
record CniDriver(String type, NetworkPlugin driver) implements CniPlugin {

    @Override
    public String call(CniCall call, CniContext ctx) {
        return switch (call.verb()) {
            case "ADD" -> NetworkVerbs.add(call, ctx, () -> conf(call), (conf, net, a, sandbox) -> result(ctx, conf, net, a, sandbox));
            case "DEL" -> NetworkVerbs.del(call, ctx, () -> conf(call));
            case "CHECK" -> BridgeChecks.check(call, ctx, conf(call), this::chain);
            case "GC" -> BridgeChecks.gc(call, ctx, conf(call));
            default -> status(call, ctx, conf(call));
        };
    }

    DriverConf conf(CniCall call) {
        return DriverConf.parse(type, driver, call.network(), Conf.root(call.config()));
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

    private String status(CniCall call, CniContext ctx, DriverConf conf) {
        call.require("CNI_PATH");
        if (ctx.ipam() == null) {
            throw new CniError(CniError.NOT_AVAILABLE, "no IPAM service is installed");
        }
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
        BridgeChecks.requireFree(ctx, conf, net.get());
        return "";
    }

    private static JsonObject result(CniContext ctx, DriverConf conf, NetworkConfig net, Attachment a, String sandbox) {
        Map<Boolean, InetAddress> gateways = new HashMap<>();
        gateways.put(true, net.gateway());
        gateways.put(false, net.gateway6());
        return Results.bridge(List.of(new Results.Iface(a.ifName().value(), a.mac() == null ? null : a.mac().value(), sandbox)),
                a.addresses(), gateways, routes(ctx, sandbox, a), conf.dns());
    }

    /** The routes via a gateway that the container's interface holds now (the driver made them). */
    private static List<IpamConf.RouteConf> routes(CniContext ctx, String sandbox, Attachment a) {
        List<IpamConf.RouteConf> out = new ArrayList<>();
        try (NetnsHandle ctr = ctx.stack().open(NetnsRef.path(Path.of(sandbox)))) {
            for (Route r : ctr.routes().list(null, null)) {
                if (r.gateway() != null && (r.device() == null || r.device().equals(a.ifName()))) {
                    out.add(new IpamConf.RouteConf(r.destination().network(), r.gateway()));
                }
            }
            return out;
        }
    }
}
