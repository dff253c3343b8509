package dev.patchbay.cni;

import com.google.gson.JsonObject;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bridge} (and {@code patchbay}): the configuration is a Patchbay network of the bridge driver
 * ({@link BridgeConf}); ADD and DEL: {@link NetworkVerbs}; CHECK, GC and STATUS: {@link BridgeChecks}.
 */
final class CniBridge implements CniPlugin {

    @Override
    public String call(CniCall call, CniContext ctx) {
        return switch (call.verb()) {
            case "ADD" -> NetworkVerbs.add(call, ctx, () -> conf(call), (conf, net, a, sandbox) -> result(ctx, net, a, conf, sandbox));
            case "DEL" -> NetworkVerbs.del(call, ctx, () -> conf(call));
            case "CHECK" -> BridgeChecks.check(call, ctx, conf(call), BridgeChecks::bridge);
            case "GC" -> BridgeChecks.gc(call, ctx, conf(call));
            default -> BridgeChecks.status(call, ctx, conf(call));
        };
    }

    static BridgeConf conf(CniCall call) {
        return BridgeConf.parse(call.network(), Conf.root(call.config()));
    }

    static JsonObject result(CniContext ctx, NetworkConfig net, Attachment a, BridgeConf conf, String sandbox) {
        String bridge = net.options().get("bridge");
        Map<Boolean, InetAddress> gateways = new HashMap<>();
        gateways.put(true, net.gateway());
        gateways.put(false, net.gateway6());
        return Results.bridge(List.of(
                        new Results.Iface(bridge, mac(ctx, bridge), null),
                        new Results.Iface(a.hostIf() == null ? "" : a.hostIf().value(), a.hostIf() == null ? null : mac(ctx, a.hostIf().value()), null),
                        new Results.Iface(a.ifName().value(), a.mac() == null ? null : a.mac().value(), sandbox)),
                a.addresses(), gateways, conf.routes(), conf.dns());
    }

    private static String mac(CniContext ctx, String link) {
        return ctx.host().links().find(LinkRef.name(link)).map(Link::mac).map(m -> m.value()).orElse(null);
    }
}
