package dev.patchbay.cni;

import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.Qdisc;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.QdiscOps;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The kernel's side of {@code bandwidth}, for the CNI type ({@link BandwidthPlugin}) and the chain's plugin that checks and
 * repairs it from an attachment's record ({@link BandwidthChain}): on the host's end of the container's veth, a root tbf
 * shapes the traffic to the container; the traffic from it, which arrives on that end, is redirected to an ifb of its own
 * ({@link #ifbName}), whose root tbf shapes it.
 */
final class Shaping {
    private Shaping() {
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

    /** Sets (or sets again: idempotent) what {@code bw} asks on {@code veth} and the ifb; a failure undoes what it made, in reverse. */
    static void apply(NetnsHandle h, Link veth, String ifb, BandwidthConf bw) {
        LinkRef host = LinkRef.index(veth.index());
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
    }

    /** What of {@code bw} is missing or at another rate on {@code veth} and the ifb, in words naming the link; reads only. */
    static List<String> check(NetnsHandle h, Link veth, String ifb, BandwidthConf bw) {
        List<String> wrong = new ArrayList<>();
        LinkRef host = LinkRef.index(veth.index());
        QdiscOps q = h.qdiscs();
        if (bw.ingress()) {
            compare(wrong, veth.name().value(), q.root(host), bw.ingressBucket());
        }
        if (bw.egress()) {
            if (h.links().find(LinkRef.name(ifb)).isEmpty()) {
                wrong.add("the ifb " + ifb + " is missing");
            } else {
                compare(wrong, ifb, q.root(LinkRef.name(ifb)), bw.egressBucket());
                if (!q.ingressRedirect(host).equals(Optional.of(LinkRef.name(ifb)))) {
                    wrong.add(veth.name() + "'s ingress is not redirected to " + ifb);
                }
            }
        }
        return wrong;
    }

    private static void compare(List<String> wrong, String link, Optional<Qdisc> root, Qdisc.TokenBucket want) {
        Qdisc.TokenBucket has = root.map(Qdisc::tokenBucket).orElse(null);
        if (has == null) {
            wrong.add(link + " has no tbf qdisc" + root.map(r -> " (its root is " + r.kind() + ")").orElse(""));
        } else if (has.rate() != want.rate()) {
            wrong.add(link + "'s tbf has a rate of " + has.rate() * 8 + " bits per second, not " + want.rate() * 8);
        }
    }

    /** Deletes the ifb and, when {@code veth} is given, its ingress and root qdiscs; what is not there is no error. */
    static void remove(NetnsHandle h, LinkRef veth, String ifb) {
        if (h.links().find(LinkRef.name(ifb)).isPresent()) {
            h.links().delete(LinkRef.name(ifb));
        }
        if (veth != null) {
            h.qdiscs().deleteIngress(veth);
            h.qdiscs().deleteRoot(veth);
        }
    }
}
