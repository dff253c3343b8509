package dev.patchbay.firewall.host;

import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.model.IpAddresses;

/** A declarative rule in one line, as {@code firewall show} prints it: {@code masquerade 10.88.0.0/24 out eth0}. */
public final class RuleText {
    private RuleText() {
    }

    public static String of(Rule r) {
        if (r instanceof Rule.Masquerade m) {
            return "masquerade " + m.subnet() + (m.uplink() == null ? "" : " out " + m.uplink());
        } else if (r instanceof Rule.BridgeForward f) {
            return "forward " + f.bridge() + (f.subnets().isEmpty() ? "" : " " + f.subnets());
        } else if (r instanceof Rule.Isolation i) {
            return "isolate " + i.bridge() + (i.peers().isEmpty() ? "" : " but " + i.peers());
        } else if (r instanceof Rule.Internal i) {
            return "internal " + i.bridge();
        } else if (r instanceof Rule.PortForward p) {
            return "publish " + p.mapping() + " -> " + IpAddresses.format(p.target());
        } else if (r instanceof Rule.Balance b) {
            return "balance " + IpAddresses.format(b.vip()) + " " + b.port() + "/" + b.protocol().label() + " "
                    + b.mode().name().toLowerCase(java.util.Locale.ROOT) + " over " + b.backends().size();
        } else if (r instanceof Rule.TunnelPeers t) {
            return "tunnel udp/" + t.port() + " only from " + t.peers().stream().map(IpAddresses::format).toList();
        }
        return r.toString();
    }
}
