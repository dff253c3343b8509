package dev.patchbay.cni;

import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/**
 * {@code bandwidth} in a network's chain: the limits an attachment records ({@code ingress-rate}, {@code ingress-burst},
 * {@code egress-rate}, {@code egress-burst}: the CNI type's keys in bits; the attachment's over the network's), shaped as
 * the CNI type shapes them ({@link Shaping}) on the host-side link the driver made. The CNI type {@code bandwidth}
 * ({@link BandwidthPlugin}) records them on the attachment its ADD shapes; {@code attach --opt} sets them too. Its check
 * names a missing tbf, ifb or redirect; {@code gc} and the daemon's repair put them back; its teardown deletes the ifb.
 * Networks a CNI ADD creates chain it ({@link NetworkVerbs#ensure}).
 */
@Component(property = {NetworkPlugin.TYPE + "=" + BandwidthChain.TYPE, NetworkPlugin.ROLE + "=" + NetworkPlugin.CHAINED,
        NetworkPlugin.ATTACH_OPTIONS + "=ingress-rate", NetworkPlugin.ATTACH_OPTIONS + "=ingress-burst",
        NetworkPlugin.ATTACH_OPTIONS + "=egress-rate", NetworkPlugin.ATTACH_OPTIONS + "=egress-burst"})
public final class BandwidthChain implements NetworkPlugin {
    static final String TYPE = "bandwidth";

    @Override
    public Map<String, String> options() {
        return Map.of("ingress-rate", "bits per second to each container, shaped on its host-side link (with ingress-burst; attach --opt: one container)",
                "ingress-burst", "bits sent to a container at once above ingress-rate",
                "egress-rate", "bits per second from each container, shaped on an ifb of its own (with egress-burst)",
                "egress-burst", "bits sent by a container at once above egress-rate");
    }

    @Override
    public void validate(NetworkContext ctx, List<NetworkConfig> others) {
        limits(ctx.config(), Map.of());
    }

    @Override
    public void validate(NetworkContext ctx, AttachRequest request) {
        limits(ctx.config(), request.options());
    }

    @Override
    public Attachment setUp(NetworkContext ctx, AttachRequest request, Attachment previous) {
        BandwidthConf bw = limits(ctx.config(), request.options());
        if (bw.ingress() || bw.egress()) {
            Link veth = hostLink(ctx, previous).orElseThrow(() -> new InvalidInputException("opt", "ingress-rate/egress-rate",
                    "needs a host-side link of the container, and driver \"" + ctx.config().driver() + "\" made none"));
            Shaping.apply(ctx.host(), veth, ifb(previous), bw);
        }
        return previous;
    }

    @Override
    public void tearDown(NetworkContext ctx, Attachment attachment, ErrorCollector errors) {
        if (limits(ctx.config(), attachment.options()).egress()) { // the veth's qdiscs go with it
            errors.run("delete the ifb of \"" + attachment.containerId() + "\"", () -> Shaping.remove(ctx.host(), null, ifb(attachment)));
        }
    }

    @Override
    public List<String> check(NetworkContext ctx, Attachment attachment) {
        BandwidthConf bw = limits(ctx.config(), attachment.options());
        Optional<Link> veth = bw.ingress() || bw.egress() ? hostLink(ctx, attachment) : Optional.empty();
        return veth.isEmpty() ? List.of() : Shaping.check(ctx.host(), veth.get(), ifb(attachment), bw); // no link: the driver's check names it
    }

    @Override
    public boolean repair(NetworkContext ctx, Attachment attachment) {
        BandwidthConf bw = limits(ctx.config(), attachment.options());
        Optional<Link> veth = hostLink(ctx, attachment);
        if (veth.isEmpty()) {
            return false;
        }
        Shaping.apply(ctx.host(), veth.get(), ifb(attachment), bw);
        return true;
    }

    /** The attachment's limits over the network's. */
    static BandwidthConf limits(NetworkConfig config, Map<String, String> perAttachment) {
        Map<String, String> all = new HashMap<>();
        for (String k : BandwidthConf.KEYS.stream().map(BandwidthConf::option).toList()) {
            config.option(k).ifPresent(v -> all.put(k, v));
            if (perAttachment.containsKey(k)) {
                all.put(k, perAttachment.get(k));
            }
        }
        return BandwidthConf.of(all);
    }

    /** The ifb the CNI type names for the container: by its CNI id (a second interface's record is {@code ID@IFNAME}). */
    static String ifb(Attachment a) {
        String id = a.containerId();
        return Shaping.ifbName(a.network(), id.contains("@") ? id.substring(0, id.indexOf('@')) : id);
    }

    private static Optional<Link> hostLink(NetworkContext ctx, Attachment a) {
        return a.hostIf() == null ? Optional.empty() : ctx.host().links().find(LinkRef.name(a.hostIf()));
    }
}
