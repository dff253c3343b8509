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
 * interface, masquerade of the subnets and isolation from other isolated networks. Pure: the orchestrator
 * applies the rules on the operator's firewall backend.
 */
@Component(property = {NetworkPlugin.TYPE + "=firewall", NetworkPlugin.ROLE + "=" + NetworkPlugin.CHAINED,
        NetworkPlugin.FLAGS + "=masquerade", NetworkPlugin.FLAGS + "=uplink=IF", NetworkPlugin.FLAGS + "=isolate"})
public final class FirewallPlugin implements NetworkPlugin {
    static final String MASQUERADE = "masquerade";
    static final String UPLINK = "uplink";
    static final String ISOLATE = "isolate";

    @Override
    public Map<String, String> options() {
        return Map.of(MASQUERADE, "true: traffic from the subnets leaving the host gets the host's address (default: false)",
                UPLINK, "masquerade only out of this interface (default: out of any but the network's own)",
                ISOLATE, "true: no traffic between this network and other isolated networks (default: false)");
    }

    @Override
    public void validate(NetworkContext ctx, List<NetworkConfig> others) {
        NetworkConfig config = ctx.config();
        config.flag(MASQUERADE, false);
        if (config.flag(ISOLATE, false) && ctx.hostInterface() == null) {
            throw new InvalidInputException(ISOLATE, config.option(ISOLATE).orElseThrow(),
                    "needs a driver with an interface in the host (driver \"" + config.driver() + "\" has none)");
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
            rules.add(new Rule.Isolation(ctx.hostInterface()));
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
            } else if (r instanceof Rule.Isolation) {
                options.put(ISOLATE, "true");
            }
        }
        return options;
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
