package dev.patchbay.cni;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.Qdisc;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.QdiscOps;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The chained type {@code bandwidth}, as the reference plugin ({@link BandwidthConf}): on the host's end of the container's
 * veth (the peer of CNI_IFNAME), traffic to the container is shaped by a root tbf; traffic from it, which arrives on that end,
 * is redirected to an ifb of its own ({@code bwp} and 12 hex digits of the network's name and the container's id), whose root
 * tbf shapes it. ADD passes {@code prevResult} on with the ifb among its interfaces (nothing set: unchanged); DEL deletes the
 * ifb and, while the veth is there, its qdiscs; CHECK reports a qdisc or the ifb missing or at another rate. A failed ADD
 * leaves nothing. The newer reference's {@code shapedSubnets}/{@code unshapedSubnets} are not served (the call falls through).
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

    /** The ifb of the container's egress on network {@code network}: 15 characters, as the reference names it. */
    static String ifbName(String network, String containerId) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((network + containerId).getBytes(StandardCharsets.UTF_8));
            return "bwp" + HexFormat.of().formatHex(h).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String add(CniCall call, CniContext ctx, BandwidthConf bw) {
        call.require("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME");
        JsonObject prev = prevResult(call);
        if (!bw.ingress() && !bw.egress()) {
            return JsonText.write(Results.convert(prev, call.version()));
        }
        String ifb = ifbName(call.network(), call.containerId());
        Link veth = hostVeth(call, ctx);
        LinkRef host = LinkRef.index(veth.index());
        NetnsHandle h = ctx.host();
        QdiscOps q = h.qdiscs();
        List<Runnable> undo = new ArrayList<>();
        try {
            if (bw.ingress()) {
                q.setRoot(host, bw.ingressBucket());
                undo.add(() -> q.deleteRoot(host));
            }
            if (bw.egress()) {
                if (h.links().find(LinkRef.name(ifb)).isEmpty()) {
                    h.links().add(new LinkSpec.Other(IfName.of(ifb), "ifb", null, null, veth.mtu(), null, null));
                    undo.add(() -> h.links().delete(LinkRef.name(ifb)));
                }
                h.links().setUp(LinkRef.name(ifb), true);
                q.setRoot(LinkRef.name(ifb), bw.egressBucket());
                q.redirectIngress(host, LinkRef.name(ifb));
                undo.add(() -> q.deleteIngress(host));
                Link made = h.links().get(LinkRef.name(ifb));
                JsonArray ifaces = prev.has("interfaces") && prev.get("interfaces").isJsonArray() ? prev.getAsJsonArray("interfaces") : new JsonArray();
                JsonObject i = new JsonObject();
                i.addProperty("name", ifb);
                if (made.mac() != null) {
                    i.addProperty("mac", made.mac().toString());
                }
                ifaces.add(i);
                prev.add("interfaces", ifaces);
            }
        } catch (RuntimeException e) {
            for (int i = undo.size() - 1; i >= 0; i--) {
                try {
                    undo.get(i).run();
                } catch (RuntimeException again) {
                    e.addSuppressed(again);
                }
            }
            throw e;
        }
        return JsonText.write(Results.convert(prev, call.version()));
    }

    /** Deletes the ifb, and the veth's qdiscs while the container's end is there to find it by; nothing there is no error. */
    private String del(CniCall call, CniContext ctx) {
        call.require("CNI_CONTAINERID", "CNI_IFNAME");
        NetnsHandle h = ctx.host();
        String ifb = ifbName(call.network(), call.containerId());
        if (h.links().find(LinkRef.name(ifb)).isPresent()) {
            h.links().delete(LinkRef.name(ifb));
        }
        String netns = call.netns();
        if (netns != null && Files.exists(Path.of(netns))) {
            try {
                Optional<Link> veth = peerOf(call, ctx);
                if (veth.isPresent()) {
                    h.qdiscs().deleteIngress(LinkRef.index(veth.get().index()));
                    h.qdiscs().deleteRoot(LinkRef.index(veth.get().index()));
                }
            } catch (NotFoundException gone) {
                ctx.note("the container's veth is gone: its qdiscs went with it");
            }
        }
        return "";
    }

    private String check(CniCall call, CniContext ctx, BandwidthConf bw) {
        call.require("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME");
        prevResult(call);
        List<String> wrong = new ArrayList<>();
        if (bw.ingress() || bw.egress()) {
            Link veth = hostVeth(call, ctx);
            LinkRef host = LinkRef.index(veth.index());
            QdiscOps q = ctx.host().qdiscs();
            if (bw.ingress()) {
                compare(wrong, veth.name().value(), q.root(host), bw.ingressBucket());
            }
            if (bw.egress()) {
                String ifb = ifbName(call.network(), call.containerId());
                if (ctx.host().links().find(LinkRef.name(ifb)).isEmpty()) {
                    wrong.add("the ifb " + ifb + " is missing");
                } else {
                    compare(wrong, ifb, q.root(LinkRef.name(ifb)), bw.egressBucket());
                    if (!q.ingressRedirect(host).equals(Optional.of(LinkRef.name(ifb)))) {
                        wrong.add(veth.name() + "'s ingress is not redirected to " + ifb);
                    }
                }
            }
        }
        if (!wrong.isEmpty()) {
            throw new CniError(CniError.PATCHBAY + 1, "CHECK: " + String.join("; ", wrong));
        }
        return "";
    }

    private static void compare(List<String> wrong, String link, Optional<Qdisc> root, Qdisc.TokenBucket want) {
        Qdisc.TokenBucket has = root.map(Qdisc::tokenBucket).orElse(null);
        if (has == null) {
            wrong.add(link + " has no tbf qdisc" + root.map(r -> " (its root is " + r.kind() + ")").orElse(""));
        } else if (has.rate() != want.rate()) {
            wrong.add(link + "'s tbf has a rate of " + has.rate() * 8 + " bits per second, not " + want.rate() * 8);
        }
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
