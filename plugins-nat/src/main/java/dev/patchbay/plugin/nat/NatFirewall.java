package dev.patchbay.plugin.nat;

import dev.patchbay.core.firewall.FirewallManager;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkFirewall;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * A network's firewall rules as declarative rulesets on whichever backend the operator chose: per
 * network (owner {@code net:NAME}) forward accepts, masquerade and isolation; per attachment (owner
 * {@code att:NAME/ID}) its published ports.
 */
@Component
public final class NatFirewall implements NetworkFirewall {

    @Reference
    FirewallManager firewall;

    @Override
    public void applyNetwork(Path stateDir, NetnsRef host, NetworkConfig config, List<NetworkConfig> all) {
        firewall.host(stateDir, host).apply(networkRules(config));
    }

    @Override
    public void removeNetwork(Path stateDir, NetnsRef host, NetworkConfig config) {
        firewall.host(stateDir, host).remove(networkOwner(config.name()));
    }

    @Override
    public void applyAttachment(Path stateDir, NetnsRef host, NetworkConfig config, Attachment attachment) {
        firewall.host(stateDir, host).apply(attachmentRules(attachment));
    }

    @Override
    public void removeAttachment(Path stateDir, NetnsRef host, NetworkConfig config, String containerId) {
        firewall.host(stateDir, host).remove(attachmentOwner(config.name(), containerId));
    }

    static Ruleset networkRules(NetworkConfig config) {
        List<IpPrefix> subnets = new ArrayList<>();
        subnets.add(config.subnet());
        if (config.subnet6() != null) {
            subnets.add(config.subnet6());
        }
        List<Rule> rules = new ArrayList<>();
        rules.add(new Rule.BridgeForward(config.bridge(), subnets));
        if (config.masquerade()) {
            subnets.forEach(s -> rules.add(new Rule.Masquerade(s, config.uplink())));
        }
        if (config.isolate()) {
            rules.add(new Rule.Isolation(config.bridge()));
        }
        return new Ruleset(networkOwner(config.name()), rules);
    }

    /** One port forward per published port and per container address of the port's family (both without a host address). */
    static Ruleset attachmentRules(Attachment a) {
        List<Rule> rules = new ArrayList<>();
        for (PortMapping p : a.ports()) {
            for (IpPrefix addr : a.addresses()) {
                if (p.hostIp() == null || Family.of(p.hostIp()) == addr.family()) {
                    rules.add(new Rule.PortForward(p, addr.address()));
                }
            }
        }
        return new Ruleset(attachmentOwner(a.network(), a.containerId()), rules);
    }

    static RulesetOwner networkOwner(String network) {
        return RulesetOwner.of("net:" + network);
    }

    static RulesetOwner attachmentOwner(String network, String containerId) {
        String id = "att:" + network + "/" + containerId;
        if (id.length() > 100) { // owners are at most 100 characters: keep the network, digest the container id
            id = "att:" + network + "/" + sha256(containerId).substring(0, 24);
        }
        return RulesetOwner.of(id);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
