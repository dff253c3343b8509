package dev.patchbay.cni;

import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.network.NetworkConfig;

/**
 * {@code firewall}: the forward accepts the reference firewall plugin makes per container, Patchbay's firewall plugin
 * makes once for the whole network when the network is created (the bridge's traffic, both ways); ADD checks that the
 * network has its firewall plugin and passes {@code prevResult} on; DEL has nothing of its own to undo (the network's
 * rules stay with the network). CHECK verifies the network's ruleset is recorded; STATUS the backend. The plugin's keys:
 * {@link #keys}.
 */
final class CniFirewall implements CniPlugin {

    /**
     * Every key of the reference firewall honoured or not served, each verb alike (so that DEL goes where ADD went):
     * {@code ingressPolicy} {@code open} (the default) honoured; {@code same-bridge} honoured on a network Patchbay
     * isolates (its firewall option {@code isolate}: traffic between it and the other isolated bridges dropped both
     * ways, as the reference's stage-1/stage-2 chains do), else not served; {@code backend} see
     * {@link Chained#backend}; {@code iptablesAdminChainName} and {@code firewalldZone} set: not served.
     */
    static void keys(Conf c, NetworkConfig net, CniContext ctx) {
        String policy = c.text("ingressPolicy");
        if (policy != null && !policy.equals("open")) {
            if (!policy.equals("same-bridge")) {
                throw CniError.config("ingressPolicy", policy, "is \"open\" (the default) or \"same-bridge\"");
            }
            if (!"true".equals(net.options().get("isolate"))) {
                throw new Unserved("ingressPolicy", "ingressPolicy \"same-bridge\" on network \"" + net.name()
                        + "\", which Patchbay does not isolate (patchbay network create --isolate makes one that does)");
            }
        }
        Chained.backend(c, ctx);
        Chained.unservedIfSet(c, "iptablesAdminChainName", "an iptables admin chain: Patchbay's rules live in its own table");
        Chained.unservedIfSet(c, "firewalldZone", "a firewalld zone");
    }

    @Override
    public String call(CniCall call, CniContext ctx) {
        NetworkConfig net = Chained.network(call, ctx, "firewall");
        keys(Conf.root(call.config()), net, ctx);
        switch (call.verb()) {
            case "ADD" -> {
                call.require("CNI_CONTAINERID", "CNI_IFNAME", "CNI_PATH");
                return Chained.echo(Chained.prevResult(call), call);
            }
            case "CHECK" -> {
                Chained.prevResult(call);
                if (!ctx.firewall().host(ctx.stateDir(), ctx.hostRef()).rulesets().containsKey(RulesetOwner.of("net:" + net.name()))) {
                    throw new CniError(CniError.PATCHBAY + 1, "CHECK: network \"" + net.name() + "\" has no firewall rules recorded");
                }
                return "";
            }
            case "STATUS" -> {
                var fw = ctx.firewall().host(ctx.stateDir(), ctx.hostRef());
                String backend = fw.backend();
                if (fw.backends().stream().noneMatch(b -> b.name().equals(backend) && b.usable())) {
                    throw new CniError(CniError.NOT_AVAILABLE, "the firewall backend \"" + backend + "\" is not usable here");
                }
                return "";
            }
            default -> {
                return "";
            }
        }
    }
}
