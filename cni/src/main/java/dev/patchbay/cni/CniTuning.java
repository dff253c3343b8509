package dev.patchbay.cni;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.orchestrator.network.Macs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code tuning}: in the container's namespace, sysctls under {@code net.}, then on {@code CNI_IFNAME} the
 * {@code mtu}, {@code mac} (also {@code runtimeConfig.mac}), {@code promisc} and {@code allmulti}; {@code prevResult}
 * passed on with the new MAC. Served for any network (it only touches the container's namespace). DEL undoes
 * nothing: the interface it tuned goes with its veth at the bridge's DEL and the namespace's sysctls with the
 * namespace, so the reference tuning's saved values would restore nothing here (a device that outlives DEL, as
 * host-device moves back, keeps the tuned values). {@code txQLen} is not served: such a configuration falls through.
 * The host's namespace is refused (as bridge refuses it); a {@code mac} no interface can have, or one held on the
 * call's Patchbay network, is code 7, and the container's attachment records the MAC it sets.
 */
final class CniTuning implements CniPlugin {

    /** What a configuration asks. */
    record Tuning(Map<String, String> sysctls, Integer mtu, MacAddress mac, Boolean promisc, Boolean allmulti) {
    }

    @Override
    public String call(CniCall call, CniContext ctx) {
        Tuning t = parse(Conf.root(call.config()));
        switch (call.verb()) {
            case "ADD" -> {
                call.require("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH");
                JsonObject prev = Chained.prevResult(call);
                IfName ifName = call.ifName();
                refuseHost(ctx, call.netns());
                java.util.Optional<Attachment> mine = checkMac(call, ctx, t.mac());
                apply(ctx, Path.of(call.netns()), ifName, t);
                mine.ifPresent(a -> ctx.attachments().recordMac(a.network(), a.containerId(), t.mac()));
                return Chained.echo(t.mac() == null ? prev : withMac(prev, ifName, t.mac()), call);
            }
            case "CHECK" -> {
                call.require("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH");
                Chained.prevResult(call);
                refuseHost(ctx, call.netns());
                check(ctx, Path.of(call.netns()), call.ifName(), t);
                return "";
            }
            default -> {
                return "";
            }
        }
    }

    static Tuning parse(Conf c) {
        if (c.has("txQLen")) {
            throw new Unserved("txQLen", "a transmit queue length");
        }
        Map<String, String> sysctls = new LinkedHashMap<>();
        Conf s = c.object("sysctl");
        if (s != null) {
            for (Map.Entry<String, JsonElement> e : s.json().entrySet()) {
                String key = e.getKey();
                if (!(key.startsWith("net.") || key.startsWith("net/")) || key.contains("..")) {
                    throw CniError.config("sysctl." + key, null, "is not a sysctl of the network namespace (net.*)");
                }
                sysctls.put(key, s.string(key));
            }
        }
        Integer mtu = c.integer("mtu", 0, 65535);
        String mac = c.text("mac");
        Conf rc = c.object("runtimeConfig");
        if (rc != null && rc.text("mac") != null) {
            mac = rc.text("mac");
        }
        MacAddress m;
        try {
            m = mac == null ? null : MacAddress.parse(mac);
        } catch (InvalidInputException e) {
            throw CniError.config("mac", mac, "is not a MAC address");
        }
        return new Tuning(sysctls, mtu == null || mtu == 0 ? null : mtu, m,
                c.has("promisc") ? c.bool("promisc", false) : null, c.has("allmulti") ? c.bool("allmulti", false) : null);
    }

    /** The host's namespace is not a container's: bridge refuses it too (102), before anything changes. */
    private static void refuseHost(CniContext ctx, String netns) {
        if (!java.nio.file.Files.exists(Path.of(netns))) {
            throw new CniError(CniError.INVALID_ENV, "CNI_NETNS: " + netns + " does not exist");
        }
        if (ctx.stack().identity(NetnsRef.path(Path.of(netns))).sameAs(ctx.stack().identity(ctx.hostRef()))) {
            throw new InvalidInputException("CNI_NETNS", netns, "is the host namespace: tuning changes only a container's");
        }
    }

    /**
     * A MAC no interface can have, or one another interface holds on the call's Patchbay network, is code 7 before
     * anything changes (two interfaces with one MAC on a bridge both lose their traffic); returns the container's
     * attachment there, whose record then takes the new MAC.
     */
    private static java.util.Optional<Attachment> checkMac(CniCall call, CniContext ctx, MacAddress mac) {
        if (mac == null) {
            return java.util.Optional.empty();
        }
        Macs.unusable(mac).ifPresent(why -> {
            throw CniError.config("mac", mac, why);
        });
        java.util.Optional<NetworkConfig> net = ctx.networks().find(call.network());
        if (net.isEmpty()) {
            return java.util.Optional.empty();
        }
        String name = net.get().name();
        java.util.Optional<Attachment> mine = ctx.attachments().findCni(name, call.containerId(), call.ifName());
        ctx.attachments().macHolder(ctx.hostRef(), name, mac, mine.map(Attachment::containerId).orElse(null)).ifPresent(who -> {
            throw CniError.config("mac", mac, "is held on network \"" + name + "\" by " + who);
        });
        return mine;
    }

    private static void apply(CniContext ctx, Path netns, IfName ifName, Tuning t) {
        NetnsRef ns = NetnsRef.path(netns);
        try (NetnsHandle ctr = ctx.stack().open(ns)) {
            t.sysctls().forEach((k, v) -> ctr.sysctl().set(k, v));
            LinkRef eth = LinkRef.name(ifName);
            ctr.links().get(eth); // NotFoundException names a missing one
            if (t.mtu() != null) {
                ctr.links().setMtu(eth, t.mtu());
            }
            if (t.mac() != null) {
                ctr.links().setMac(eth, t.mac());
            }
            if (t.promisc() != null || t.allmulti() != null) {
                ctr.links().set(eth, new dev.patchbay.core.model.LinkChange(null, t.promisc(), t.allmulti(), null));
            }
        }
    }

    private static void check(CniContext ctx, Path netns, IfName ifName, Tuning t) {
        List<String> wrong = new ArrayList<>();
        try (NetnsHandle ctr = ctx.stack().open(NetnsRef.path(netns))) {
            t.sysctls().forEach((k, v) -> {
                String has = ctr.sysctl().get(k).orElse(null);
                if (has == null || !has.strip().equals(v.strip())) {
                    wrong.add(k + " is " + has + ", not " + v);
                }
            });
            Link link = ctr.links().get(LinkRef.name(ifName));
            if (t.mtu() != null && link.mtu() != t.mtu()) {
                wrong.add("mtu of " + ifName + " is " + link.mtu() + ", not " + t.mtu());
            }
            if (t.mac() != null && !t.mac().equals(link.mac())) {
                wrong.add("MAC of " + ifName + " is " + link.mac() + ", not " + t.mac());
            }
        }
        if (!wrong.isEmpty()) {
            throw new CniError(CniError.PATCHBAY + 1, "CHECK: " + String.join("; ", wrong));
        }
    }

    /** {@code prev} with the MAC of the container's interface {@code ifName} replaced. */
    static JsonObject withMac(JsonObject prev, IfName ifName, MacAddress mac) {
        JsonObject out = prev.deepCopy();
        JsonArray ifs = out.has("interfaces") && out.get("interfaces").isJsonArray() ? out.getAsJsonArray("interfaces") : new JsonArray();
        for (JsonElement e : ifs) {
            JsonObject o = e.getAsJsonObject();
            if (o.has("sandbox") && ifName.value().equals(NetworkChecks.text(o, "name"))) {
                o.addProperty("mac", mac.value());
            }
        }
        return out;
    }
}
