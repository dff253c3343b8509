package dev.patchbay.cni;

import com.google.gson.JsonObject;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.model.PortRange;
import dev.patchbay.core.model.Protocol;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code portmap}: the {@code portMappings} capability ({@code runtimeConfig.portMappings}: {@code hostPort},
 * {@code containerPort}, {@code protocol}, {@code hostIP}) published on the container's attachment of a Patchbay network
 * ({@code Attachments.publish}: the network's portmap plugin makes the rules), {@code prevResult} passed on; only on an
 * attachment a CNI ADD made for the container as CNI_IFNAME (never one the CLI made). DEL unpublishes every port of
 * it, as the reference portmap removes all it made for the container. Its other keys: {@link #keys}.
 */
final class CniPortmap implements CniPlugin {

    @Override
    public String call(CniCall call, CniContext ctx) {
        NetworkConfig net = Chained.network(call, ctx, "portmap");
        keys(Conf.root(call.config()), ctx);
        return switch (call.verb()) {
            case "ADD" -> add(call, ctx, net);
            case "DEL" -> del(call, ctx, net);
            case "CHECK" -> check(call, ctx, net);
            default -> "";
        };
    }

    /**
     * Every key of the reference portmap honoured or not served, each verb alike: {@code snat} true (the default:
     * a published port answers from the host and from the bridge's own containers, which Patchbay's rules do) honoured,
     * false not served; {@code masqAll}, {@code markMasqBit}, {@code externalSetMarkChain}, {@code conditionsV4} and
     * {@code conditionsV6} set: not served; {@code backend} see {@link Chained#backend}.
     */
    static void keys(Conf c, CniContext ctx) {
        if (!c.bool("snat", true)) {
            throw new Unserved("snat", "ports published without SNAT of hairpin and host-local traffic (snat false)");
        }
        Chained.unservedIfSet(c, "masqAll", "masquerading all traffic to a published port");
        Chained.unservedIfSet(c, "markMasqBit", "a masquerade mark bit of the reference's iptables rules");
        Chained.unservedIfSet(c, "externalSetMarkChain", "an external mark chain of the reference's iptables rules");
        Chained.unservedIfSet(c, "conditionsV4", "iptables match conditions");
        Chained.unservedIfSet(c, "conditionsV6", "ip6tables match conditions");
        Chained.backend(c, ctx);
    }

    private static String add(CniCall call, CniContext ctx, NetworkConfig net) {
        call.require("CNI_CONTAINERID", "CNI_IFNAME", "CNI_PATH");
        JsonObject prev = Chained.prevResult(call);
        List<PortMapping> ports = ports(Conf.root(call.config()));
        if (!ports.isEmpty()) {
            String id = call.containerId();
            Attachment a = ctx.attachments().findCni(net.name(), id, call.ifName())
                    .orElseThrow(() -> new CniError(CniError.UNKNOWN_CONTAINER, "\"" + id + "\" is not attached to network \"" + net.name()
                            + "\" as " + call.ifName() + " by CNI"));
            ctx.attachments().publish(ctx.hostRef(), net.name(), a.containerId(), ports, true);
        }
        return Chained.echo(prev, call);
    }

    private static String del(CniCall call, CniContext ctx, NetworkConfig net) {
        call.require("CNI_CONTAINERID", "CNI_IFNAME", "CNI_PATH");
        Attachment a = ctx.attachments().findCni(net.name(), call.containerId(), call.ifName()).orElse(null); // never the CLI's
        if (a != null && !a.ports().isEmpty()) {
            ctx.attachments().publish(ctx.hostRef(), net.name(), a.containerId(), a.ports(), false);
        }
        return "";
    }

    private static String check(CniCall call, CniContext ctx, NetworkConfig net) {
        call.require("CNI_CONTAINERID", "CNI_IFNAME", "CNI_PATH");
        Chained.prevResult(call);
        String id = call.containerId();
        Attachment a = ctx.attachments().findCni(net.name(), id, call.ifName())
                .orElseThrow(() -> new CniError(CniError.UNKNOWN_CONTAINER, "\"" + id + "\" is not attached to network \"" + net.name()
                        + "\" as " + call.ifName() + " by CNI"));
        List<String> missing = new ArrayList<>();
        for (PortMapping p : ports(Conf.root(call.config()))) {
            if (!a.ports().contains(p)) {
                missing.add(p.toString());
            }
        }
        if (!missing.isEmpty()) {
            throw new CniError(CniError.PATCHBAY + 1, "CHECK: \"" + id + "\" does not publish " + String.join(", ", missing));
        }
        return "";
    }

    /** {@code runtimeConfig.portMappings}; empty when absent. */
    static List<PortMapping> ports(Conf c) {
        Conf rc = c.object("runtimeConfig");
        List<PortMapping> out = new ArrayList<>();
        if (rc == null) {
            return out;
        }
        for (Conf m : rc.objects("portMappings")) {
            Integer host = m.integer("hostPort", 1, 65535);
            Integer ctr = m.integer("containerPort", 1, 65535);
            if (host == null || ctr == null) {
                throw CniError.config(m.field(host == null ? "hostPort" : "containerPort"), null, "is required");
            }
            String proto = m.text("protocol") == null ? "tcp" : m.text("protocol").toLowerCase(Locale.ROOT);
            String ip = m.text("hostIP");
            try {
                PortMapping p = new PortMapping(Protocol.parse(proto), ip == null ? null : IpAddresses.parse(m.field("hostIP"), ip),
                        PortRange.of(host), PortRange.of(ctr));
                if (!out.contains(p)) {
                    out.add(p);
                }
            } catch (InvalidInputException e) {
                throw CniError.config(m.field(e.field().contains("host") ? "hostIP" : "protocol"), e.value(), "is not valid: " + e.getMessage());
            }
        }
        return out;
    }
}
