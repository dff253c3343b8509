package dev.patchbay.cni;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.spi.NetnsHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The chained type {@code bandwidth}, as the reference plugin ({@link BandwidthConf}): on the host's end of the container's
 * veth (the peer of CNI_IFNAME), traffic to the container is shaped by a root tbf; traffic from it, which arrives on that end,
 * is redirected to an ifb of its own ({@code bwp} and 12 hex digits of the network's name and the container's id), whose root
 * tbf shapes it ({@link Shaping}). ADD passes {@code prevResult} on with the ifb among its interfaces (nothing set: unchanged)
 * and records the limits on the container's attachment when a Patchbay network made it ({@link #record}: its checks, gc and
 * the daemon then repair them); DEL forgets them, deletes the ifb and, while the veth is there, its qdiscs; CHECK reports a
 * qdisc or the ifb missing or at another rate, naming it. A failed ADD leaves nothing. The newer reference's {@code shapedSubnets}/{@code unshapedSubnets} are not served (the call falls through).
 */
final class BandwidthPlugin implements CniPlugin {
    static final String TYPE = "bandwidth";

    @Override
    public String call(CniCall call, CniContext ctx) {
        for (String k : List.of("shapedSubnets", "unshapedSubnets")) {
            if (Conf.root(call.config()).array(k) != null && !Conf.root(call.config()).array(k).isEmpty()) {
                throw new Unserved(k, k + " (Patchbay's bandwidth shapes all the container's traffic)");
            }
        }
        BandwidthConf bw = BandwidthConf.of(call.config());
        return switch (call.verb()) {
            case "ADD" -> add(call, ctx, bw);
            case "DEL" -> del(call, ctx);
            case "CHECK" -> check(call, ctx, bw);
            default -> "";
        };
    }

    private String add(CniCall call, CniContext ctx, BandwidthConf bw) {
        call.require("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME");
        JsonObject prev = prevResult(call);
        if (!bw.ingress() && !bw.egress()) {
            return JsonText.write(Results.convert(prev, call.version()));
        }
        String ifb = Shaping.ifbName(call.network(), call.containerId());
        Link veth = hostVeth(call, ctx);
        NetnsHandle h = ctx.host();
        boolean made = h.links().find(LinkRef.name(ifb)).isEmpty();
        Shaping.apply(h, veth, ifb, bw);
        try {
            record(call, ctx, bw.options());
        } catch (RuntimeException e) { // nothing partial: what this ADD set goes
            try {
                h.qdiscs().deleteIngress(LinkRef.index(veth.index()));
                h.qdiscs().deleteRoot(LinkRef.index(veth.index()));
                if (made && bw.egress()) {
                    h.links().delete(LinkRef.name(ifb));
                }
            } catch (RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
        if (bw.egress()) {
            Link ifbLink = h.links().get(LinkRef.name(ifb));
            JsonArray ifaces = prev.has("interfaces") && prev.get("interfaces").isJsonArray() ? prev.getAsJsonArray("interfaces") : new JsonArray();
            JsonObject i = new JsonObject();
            i.addProperty("name", ifb);
            if (ifbLink.mac() != null) {
                i.addProperty("mac", ifbLink.mac().toString());
            }
            ifaces.add(i);
            prev.add("interfaces", ifaces);
        }
        return JsonText.write(Results.convert(prev, call.version()));
    }

    /**
     * Records the limits ({@code null} values: none) on the attachment a CNI ADD made for the container as CNI_IFNAME, when
     * there is one and its network chains {@link BandwidthChain}: the network's checks, {@code gc} and the daemon's repair
     * then see and put back a missing qdisc or ifb. Without one (a veth made by another plugin) the shaping is CNI's alone.
     */
    private static void record(CniCall call, CniContext ctx, Map<String, String> limits) {
        Optional<NetworkConfig> net = ctx.networks().find(call.network());
        Optional<Attachment> a = net.flatMap(n -> ctx.attachments().findCni(n.name(), call.containerId(), call.ifName()));
        if (a.isEmpty()) {
            return;
        }
        if (!net.get().chain().contains(BandwidthChain.TYPE)) {
            if (limits.isEmpty()) {
                return; // a DEL: nothing was recorded
            }
            ctx.note("network \"" + net.get().name() + "\" does not chain " + BandwidthChain.TYPE + ": its checks and gc do not see this shaping");
            return;
        }
        Map<String, String> all = new HashMap<>();
        Map<String, String> recorded = new HashMap<>();
        for (String k : BandwidthConf.KEYS.stream().map(BandwidthConf::option).toList()) {
            all.put(k, limits.get(k));
            recorded.put(k, a.get().options().get(k));
        }
        if (!all.equals(recorded)) {
            ctx.attachments().recordOptions(ctx.hostRef(), net.get().name(), a.get().containerId(), all);
        }
    }

    /** Forgets the recorded limits, deletes the ifb, and the veth's qdiscs while the container's end is there to find it by; nothing there is no error. */
    private String del(CniCall call, CniContext ctx) {
        call.require("CNI_CONTAINERID", "CNI_IFNAME");
        record(call, ctx, Map.of());
        NetnsHandle h = ctx.host();
        String ifb = Shaping.ifbName(call.network(), call.containerId());
        LinkRef veth = null;
        String netns = call.netns();
        if (netns != null && Files.exists(Path.of(netns))) {
            try {
                veth = peerOf(call, ctx).map(l -> LinkRef.index(l.index())).orElse(null);
            } catch (NotFoundException gone) {
                ctx.note("the container's veth is gone: its qdiscs went with it");
            }
        }
        Shaping.remove(h, veth, ifb);
        return "";
    }

    private String check(CniCall call, CniContext ctx, BandwidthConf bw) {
        call.require("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME");
        prevResult(call);
        List<String> wrong = bw.ingress() || bw.egress()
                ? Shaping.check(ctx.host(), hostVeth(call, ctx), Shaping.ifbName(call.network(), call.containerId()), bw) : List.of();
        if (!wrong.isEmpty()) {
            throw new CniError(CniError.PATCHBAY + 1, "CHECK: " + String.join("; ", wrong));
        }
        return "";
    }

    /** The host's end of the container's veth CNI_IFNAME; Patchbay's code 101 when it is not a veth with its peer here. */
    private static Link hostVeth(CniCall call, CniContext ctx) {
        return peerOf(call, ctx).orElseThrow(() -> new CniError(CniError.PATCHBAY + 1,
                call.ifName() + " in " + call.netns() + " is not a veth whose peer is in this namespace: bandwidth shapes a veth's host end"));
    }

    private static Optional<Link> peerOf(CniCall call, CniContext ctx) {
        Link ctr;
        try (NetnsHandle c = ctx.stack().open(NetnsRef.path(Path.of(call.netns())))) {
            ctr = c.links().get(LinkRef.name(call.ifName()));
        }
        if (ctr.peerIndex() == null || ctr.peerNetnsId() == null) {
            return Optional.empty();
        }
        return ctx.host().links().find(LinkRef.index(ctr.peerIndex())).filter(l -> "veth".equals(l.kind()));
    }

    private static JsonObject prevResult(CniCall call) {
        JsonObject prev = Results.prevResult(Conf.root(call.config()));
        if (prev == null) {
            throw CniError.config("prevResult", null, "is required: " + call.type() + " is a chained plugin");
        }
        return prev;
    }
}
