package dev.patchbay.cni;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.CniChange;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.orchestrator.network.Macs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a chained type asks in the container's namespace ({@link CniChange#sysctls} non-null, e.g. tuning): the sysctls,
 * then on CNI_IFNAME the MTU, the MAC and the link flags; {@code prevResult} passed on with the new MAC. The host's
 * namespace is refused (as bridge refuses it); a MAC no interface can have, or one held on the call's Patchbay network,
 * is code 7, and the container's attachment there records the MAC it sets. CHECK compares the sysctls (whole values),
 * the MTU and the MAC.
 */
final class InContainer {
    private InContainer() {
    }

    static JsonObject add(CniCall call, CniContext ctx, CniChange t, JsonObject prev) {
        IfName ifName = call.ifName();
        refuseHost(ctx, call);
        Optional<Attachment> mine = checkMac(call, ctx, t.mac());
        apply(ctx, Path.of(call.netns()), ifName, t);
        mine.ifPresent(a -> ctx.attachments().recordMac(a.network(), a.containerId(), t.mac()));
        return t.mac() == null ? prev : withMac(prev, ifName, t.mac());
    }

    static void check(CniCall call, CniContext ctx, CniChange t) {
        refuseHost(ctx, call);
        List<String> wrong = new ArrayList<>();
        IfName ifName = call.ifName();
        try (NetnsHandle ctr = ctx.stack().open(NetnsRef.path(Path.of(call.netns())))) {
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

    /** The host's namespace is not a container's: bridge refuses it too (102), before anything changes. */
    private static void refuseHost(CniContext ctx, CniCall call) {
        String netns = call.netns();
        if (!java.nio.file.Files.exists(Path.of(netns))) {
            throw new CniError(CniError.INVALID_ENV, "CNI_NETNS: " + netns + " does not exist");
        }
        if (ctx.stack().identity(NetnsRef.path(Path.of(netns))).sameAs(ctx.stack().identity(ctx.hostRef()))) {
            throw new InvalidInputException("CNI_NETNS", netns, "is the host namespace: " + call.type() + " changes only a container's");
        }
    }

    /**
     * A MAC no interface can have, or one another interface holds on the call's Patchbay network, is code 7 before
     * anything changes (two interfaces with one MAC on a bridge both lose their traffic); returns the container's
     * attachment there, whose record then takes the new MAC.
     */
    private static Optional<Attachment> checkMac(CniCall call, CniContext ctx, MacAddress mac) {
        if (mac == null) {
            return Optional.empty();
        }
        Macs.unusable(mac).ifPresent(why -> {
            throw CniError.config("mac", mac, why);
        });
        Optional<NetworkConfig> net = ctx.networks().find(call.network());
        if (net.isEmpty()) {
            return Optional.empty();
        }
        String name = net.get().name();
        Optional<Attachment> mine = ctx.attachments().findCni(name, call.containerId(), call.ifName());
        ctx.attachments().macHolder(ctx.hostRef(), name, mac, mine.map(Attachment::containerId).orElse(null)).ifPresent(who -> {
            throw CniError.config("mac", mac, "is held on network \"" + name + "\" by " + who);
        });
        return mine;
    }

    private static void apply(CniContext ctx, Path netns, IfName ifName, CniChange t) {
        try (NetnsHandle ctr = ctx.stack().open(NetnsRef.path(netns))) {
            t.sysctls().forEach((k, v) -> ctr.sysctl().set(k, v));
            LinkRef eth = LinkRef.name(ifName);
            ctr.links().get(eth); // NotFoundException names a missing one
            if (t.mtu() != null) {
                ctr.links().setMtu(eth, t.mtu());
            }
            if (t.mac() != null) {
                ctr.links().setMac(eth, t.mac());
            }
            if (t.link() != null) {
                ctr.links().set(eth, t.link());
            }
        }
    }

    /** {@code prev} with the MAC of the container's interface {@code ifName} replaced. */
    static JsonObject withMac(JsonObject prev, IfName ifName, MacAddress mac) {
        JsonObject out = prev.deepCopy();
        for (JsonElement e : GoKeys.array(out, "interfaces")) {
            JsonObject o = e.getAsJsonObject();
            if (GoKeys.member(o, "sandbox") != null && ifName.value().equals(NetworkChecks.text(o, "name"))) {
                GoKeys.set(o, "mac", mac.value());
            }
        }
        return out;
    }
}
