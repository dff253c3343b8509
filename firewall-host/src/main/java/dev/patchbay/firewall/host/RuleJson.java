package dev.patchbay.firewall.host;

import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.model.Protocol;
import java.util.ArrayList;
import java.util.List;

/** A rule as stored in state: its kind and its values as text. */
final class RuleJson {
    String type;
    String subnet;
    String uplink;
    String bridge;
    List<String> subnets;
    List<String> peers;
    String mapping;
    String target;
    String vip;
    String protocol;
    Integer port;
    /** A balance's backends, {@code "ADDRESS PORT"} each. */
    List<String> backends;
    String mode;
    Integer affinity;

    static RuleJson of(Rule r) {
        RuleJson j = new RuleJson();
        if (r instanceof Rule.Masquerade m) {
            j.type = "masquerade";
            j.subnet = m.subnet().toString();
            j.uplink = m.uplink() == null ? null : m.uplink().value();
        } else if (r instanceof Rule.BridgeForward b) {
            j.type = "bridge-forward";
            j.bridge = b.bridge().value();
            j.subnets = new ArrayList<>();
            b.subnets().forEach(s -> j.subnets.add(s.toString()));
        } else if (r instanceof Rule.Isolation i) {
            j.type = "isolation";
            j.bridge = i.bridge().value();
            j.peers = i.peers().isEmpty() ? null : i.peers().stream().map(IfName::value).toList();
        } else if (r instanceof Rule.Internal i) {
            j.type = "internal";
            j.bridge = i.bridge().value();
        } else if (r instanceof Rule.PortForward p) {
            j.type = "port-forward";
            j.mapping = p.mapping().toString();
            j.target = IpAddresses.format(p.target());
        } else if (r instanceof Rule.Balance b) {
            j.type = "balance";
            j.vip = IpAddresses.format(b.vip());
            j.protocol = b.protocol().label();
            j.port = b.port();
            j.backends = b.backends().stream().map(x -> IpAddresses.format(x.address()) + " " + x.port()).toList();
            j.mode = b.mode().name();
            j.affinity = b.affinitySeconds() == 0 ? null : b.affinitySeconds();
        } else if (r instanceof Rule.TunnelPeers t) {
            j.type = "tunnel-peers";
            j.port = t.port();
            j.peers = t.peers().stream().map(IpAddresses::format).toList();
        } else { // recorded as nothing, it would be lost from the record: on a swap or a repair, the kernel would lose it too
            throw new BackendException("failed to record firewall rule \"" + RuleText.of(r) + "\": no record format for " + r.getClass().getSimpleName());
        }
        return j;
    }

    Rule toRule() {
        switch (String.valueOf(type)) {
            case "masquerade":
                return new Rule.Masquerade(IpPrefix.parse(subnet), uplink == null ? null : IfName.of(uplink));
            case "bridge-forward":
                List<IpPrefix> s = new ArrayList<>();
                (subnets == null ? List.<String>of() : subnets).forEach(x -> s.add(IpPrefix.parse(x)));
                return new Rule.BridgeForward(IfName.of(bridge), s);
            case "isolation":
                return new Rule.Isolation(IfName.of(bridge), peers == null ? List.of() : peers.stream().map(IfName::of).toList());
            case "internal":
                return new Rule.Internal(IfName.of(bridge));
            case "port-forward":
                return new Rule.PortForward(PortMapping.parse(mapping), IpAddresses.parse("target", target));
            case "balance":
                List<Rule.Balance.Backend> bs = new ArrayList<>();
                for (String x : backends == null ? List.<String>of() : backends) {
                    String[] w = x.split(" ");
                    bs.add(new Rule.Balance.Backend(IpAddresses.parse("backend", w[0]), Integer.parseInt(w[1])));
                }
                return new Rule.Balance(IpAddresses.parse("vip", vip), Protocol.parse(protocol), port == null ? 0 : port, bs,
                        Rule.Balance.Mode.valueOf(mode), affinity == null ? 0 : affinity);
            case "tunnel-peers":
                return new Rule.TunnelPeers(port == null ? 0 : port,
                        (peers == null ? List.<String>of() : peers).stream().map(x -> IpAddresses.parse("tunnel peer", x)).toList());
            default:
                throw new BackendException("failed to read firewall state: unknown rule type \"" + type + "\"");
        }
    }
}
