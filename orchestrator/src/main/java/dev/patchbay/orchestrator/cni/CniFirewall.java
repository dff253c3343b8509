package dev.patchbay.orchestrator.cni;

import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.network.NetworkConfig;

/**
 * {@code firewall}: the forward accepts the reference firewall plugin makes per container, Patchbay's firewall plugin
 * makes once for the whole network when the network is created (the bridge's traffic, both ways); ADD checks that the
 * network has its firewall plugin and passes {@code prevResult} on; DEL has nothing of its own to undo (the network's
 * rules stay with the network). CHECK verifies the network's ruleset is recorded; STATUS the backend. The plugin's keys
 * ({@code backend}, {@code iptablesAdminChainName}, {@code ingressPolicy}) are ignored.
 */
final class CniFirewall implements CniPlugin {

    @Override
    public String call(CniCall call, CniContext ctx) {
        NetworkConfig net = Chained.network(call, ctx, "firewall");
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
