package dev.patchbay.plugin.nat;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.CniChange;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import dev.patchbay.core.spi.NetnsHandle;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.osgi.service.component.annotations.Component;

/**
 * A network's own firewall rules, as CNI's {@code firewall} plugin: forwarding for the driver's host
 * interface, masquerade of the subnets, isolation from other isolated networks (Docker's user-defined networks: on for
 * {@code network create}, {@value #CREATE_DEFAULTS}), an internal network's confinement. Pure: the orchestrator
 * applies the rules on the operator's firewall backend.
 */
@Component(property = {NetworkPlugin.TYPE + "=firewall", NetworkPlugin.ROLE + "=" + NetworkPlugin.CHAINED,
        NetworkPlugin.FLAGS + "=masquerade", NetworkPlugin.FLAGS + "=uplink=IF", NetworkPlugin.FLAGS + "=isolate",
        NetworkPlugin.FLAGS + "=internal", NetworkPlugin.FLAGS + "=peers=BRIDGES", FirewallPlugin.CREATE_DEFAULTS + "=isolate=true"})
public final class FirewallPlugin implements NetworkPlugin {
    static final String MASQUERADE = "masquerade";
    static final String UPLINK = "uplink";
    static final String ISOLATE = "isolate";
    static final String INTERNAL = "internal";
    static final String PEERS = "peers";
    /** Service property the orchestrator reads: options {@code network create} sets when the operator leaves them out (not CNI). */
    static final String CREATE_DEFAULTS = "patchbay.plugin.create.defaults";

    @Override
    public Map<String, String> options() {
        return Map.of(MASQUERADE, "true: traffic from the subnets leaving the host gets the host's address (default: false)",
                UPLINK, "masquerade only out of this interface (default: out of any but the network's own)",
                ISOLATE, "true: no traffic between this network and any other isolated one, either way, IPv4 and IPv6; false: it"
                        + " reaches and is reached by every network (default: true for network create, false for CNI networks and"
                        + " networks created before Patchbay isolated by default)",
                PEERS, "the bridges of the networks an isolated network is connected to on purpose, joined by ',': traffic"
                        + " between them passes, either way, however isolated each is (network inspect shows a network's bridge)",
                INTERNAL, "true: no traffic between this network and anything but its own containers and the host, either way, IPv4"
                        + " and IPv6: no masquerade, no way out (default: false)");
    }

    @Override
    public void validate(NetworkContext ctx, List<NetworkConfig> others) {
        NetworkConfig config = ctx.config();
        boolean masquerade = config.flag(MASQUERADE, false);
        for (String key : List.of(ISOLATE, INTERNAL)) {
            if (config.flag(key, false) && ctx.hostInterface() == null) {
                throw new InvalidInputException(key, config.option(key).orElseThrow(),
                        "needs a driver with an interface in the host (driver \"" + config.driver() + "\" has none)");
            }
        }
        if (!peers(config).isEmpty() && !config.flag(ISOLATE, false)) {
            throw new InvalidInputException(PEERS, config.option(PEERS).orElseThrow(), "needs isolate=true (a network not isolated reaches every one)");
        }
        if (peers(config).contains(ctx.hostInterface())) {
            throw new InvalidInputException(PEERS, config.option(PEERS).orElseThrow(), "names the network's own interface");
        }
        if (masquerade && config.flag(INTERNAL, false)) {
            throw new InvalidInputException(INTERNAL, config.option(INTERNAL).orElseThrow(), "cannot go with masquerade=true (an internal network has no way out)");
        }
        IfName uplink = uplink(config);
        if (uplink != null) {
            if (uplink.equals(ctx.hostInterface())) {
                throw new InvalidInputException(UPLINK, uplink, "is the network's own interface");
            }
            if (ctx.host().links().find(LinkRef.name(uplink)).isEmpty()) {
                throw NotFoundException.of("uplink", uplink, ctx.host().netns().describe());
            }
        }
    }

    @Override
    public void networkRules(NetworkContext ctx, List<Rule> rules) {
        NetworkConfig config = ctx.config();
        List<IpPrefix> subnets = config.subnets();
        if (ctx.hostInterface() != null) {
            rules.add(new Rule.BridgeForward(ctx.hostInterface(), subnets));
        }
        if (config.flag(MASQUERADE, false)) {
            IfName uplink = uplink(config);
            subnets.forEach(s -> rules.add(new Rule.Masquerade(s, uplink)));
        }
        if (config.flag(ISOLATE, false)) {
            rules.add(new Rule.Isolation(ctx.hostInterface(), peers(config)));
        }
        if (config.flag(INTERNAL, false)) {
            rules.add(new Rule.Internal(ctx.hostInterface()));
        }
    }

    /** Its options, when a network's record is lost: masquerade (and its uplink) and isolation, from the network's rules. */
    @Override
    public Map<String, String> recover(NetnsHandle host, String name, List<Rule> rules, List<Attachment> attachments) {
        Map<String, String> options = new TreeMap<>();
        for (Rule r : rules) {
            if (r instanceof Rule.Masquerade mq) {
                options.put(MASQUERADE, "true");
                if (mq.uplink() != null) {
                    options.put(UPLINK, mq.uplink().value());
                }
            } else if (r instanceof Rule.Isolation i) {
                options.put(ISOLATE, "true");
                if (!i.peers().isEmpty()) {
                    options.put(PEERS, String.join(",", i.peers().stream().map(IfName::value).toList()));
                }
            } else if (r instanceof Rule.Internal) {
                options.put(INTERNAL, "true");
            }
        }
        return options;
    }

    /** The {@value #PEERS} option's interface names. */
    static List<IfName> peers(NetworkConfig config) {
        List<IfName> out = new java.util.ArrayList<>();
        for (String name : config.option(PEERS).orElse("").split(",")) {
            if (!name.isBlank()) {
                try {
                    out.add(new IfName(name.strip()));
                } catch (InvalidInputException e) {
                    throw new InvalidInputException(PEERS, config.option(PEERS).orElseThrow(), "\"" + name.strip() + "\" is no interface name");
                }
            }
        }
        return out;
    }

    static IfName uplink(NetworkConfig config) {
        String name = config.option(UPLINK).orElse(null);
        if (name == null) {
            return null;
        }
        try {
            return new IfName(name);
        } catch (InvalidInputException e) {
            String m = e.getMessage();
            throw new InvalidInputException(UPLINK, name, m.substring(m.indexOf("\": ") + 3));
        }
    }

    /** The CNI type {@code firewall} on a network with this plugin in its chain ({@link NatCni#firewall}). */
    @Override
    public CniChange cniChange(Map<String, Object> conf, Map<String, String> args, NetworkConfig network) {
        return NatCni.firewall(conf, network);
    }
}
