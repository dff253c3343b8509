package dev.patchbay.plugin.bridge;

import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.spi.NetnsHandle;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The bridge driver's CNI CHECK and repair ({@link dev.patchbay.core.network.NetworkPlugin#checkNetwork},
 * {@code check}, {@code repair}, {@code recover}): what of a bridge network its kernel lacks, in words, a port put back
 * on its bridge, and the bridge of a network whose record is lost. Reads only, but for {@link #repair}.
 */
final class BridgeHealth {
    private BridgeHealth() {
    }

    /** What {@link BridgePlugin#setUpNetwork} makes that the kernel lacks: the bridge, up, its gateway addresses, forwarding. */
    static List<String> checkNetwork(NetworkContext ctx) {
        NetworkConfig config = ctx.config();
        IfName bridge = BridgePlugin.bridge(config);
        Optional<Link> link = ctx.host().links().find(LinkRef.name(bridge));
        if (link.isEmpty()) {
            return List.of("bridge \"" + bridge + "\"");
        }
        List<String> missing = new ArrayList<>();
        if (!link.get().up()) {
            missing.add("bridge \"" + bridge + "\" up");
        }
        if (config.flag(BridgePlugin.GATEWAY_ON_BRIDGE, true)) {
            List<IpPrefix> held = ctx.host().addresses().list(LinkRef.index(link.get().index()), null);
            for (IpPrefix gw : java.util.Arrays.asList(config.gatewayAddress(), config.gateway6Address())) {
                if (gw != null && !held.contains(gw)) {
                    missing.add("gateway " + gw + " on \"" + bridge + "\"");
                }
            }
        }
        if (!"1".equals(ctx.host().sysctl().get("net.ipv4.ip_forward").orElse("1").strip())) {
            missing.add("net.ipv4.ip_forward=1");
        }
        return missing;
    }

    /** The container's host link is a port of the bridge, and up (a bridge made again has no ports). */
    static List<String> check(NetworkContext ctx, Attachment attachment) {
        IfName hostIf = attachment.hostIf();
        Optional<Link> port = hostIf == null ? Optional.empty() : ctx.host().links().find(LinkRef.name(hostIf));
        if (port.isEmpty()) {
            return List.of(); // a recorded link that is gone: the orchestrator plugs the container in again
        }
        IfName bridge = BridgePlugin.bridge(ctx.config());
        Optional<Link> br = ctx.host().links().find(LinkRef.name(bridge));
        if (br.isPresent() && (!"bridge".equals(br.get().kind())
                || Integer.valueOf(br.get().index()).equals(port.get().masterIndex()) && port.get().up())) {
            return List.of();
        }
        return List.of("link \"" + hostIf + "\" on \"" + bridge + "\"");
    }

    /** Puts the container's host link back on the bridge, up, with its hairpin mode; false when the link is gone. */
    static boolean repair(NetworkContext ctx, Attachment attachment) {
        if (attachment.hostIf() == null || ctx.host().links().find(LinkRef.name(attachment.hostIf())).isEmpty()) {
            return false;
        }
        LinkRef port = LinkRef.name(attachment.hostIf());
        ctx.host().links().setMaster(port, LinkRef.name(BridgePlugin.bridge(ctx.config())));
        if (!attachment.ports().isEmpty() || ctx.config().flag(BridgePlugin.HAIRPIN, false)) {
            ctx.host().links().setBridgePort(port, true, null);
        }
        ctx.host().links().setUp(port, true);
        return true;
    }

    /**
     * The bridge option of a network whose record is lost: the bridge its forward rules name, else the bridge its
     * attachments' host links are ports of, else a bridge of the default name ({@code pb-NAME}); empty when none is.
     */
    static Map<String, String> recover(NetnsHandle host, String name, List<Rule> rules, List<Attachment> attachments) {
        for (Rule r : rules) {
            if (r instanceof Rule.BridgeForward b) {
                return Map.of(BridgePlugin.BRIDGE, b.bridge().value());
            }
        }
        List<Link> links = host.links().list();
        Set<IfName> ports = new HashSet<>();
        attachments.stream().map(Attachment::hostIf).filter(Objects::nonNull).forEach(ports::add);
        for (Link l : links) {
            if (l.masterIndex() != null && ports.contains(l.name())) {
                for (Link b : links) {
                    if (b.index() == l.masterIndex() && "bridge".equals(b.kind())) {
                        return Map.of(BridgePlugin.BRIDGE, b.name().value());
                    }
                }
            }
        }
        String guess = BridgePlugin.defaultBridge(name);
        return links.stream().anyMatch(l -> l.name().value().equals(guess) && "bridge".equals(l.kind()))
                ? Map.of(BridgePlugin.BRIDGE, guess) : Map.of();
    }
}
