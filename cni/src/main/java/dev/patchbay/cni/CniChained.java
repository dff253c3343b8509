package dev.patchbay.cni;

import com.google.gson.JsonObject;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.CniChange;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import java.util.ArrayList;
import java.util.List;

/**
 * A CNI type an installed plugin serves: as a chained type when it maps the call ({@link NetworkPlugin#cniChange}: Patchbay's
 * portmap and firewall in plugins-nat, tuning in plugins-bridge, or a third party's), else as a driver ({@link CniDriver}).
 * The plugin says what the call asks ({@link CniChange}); this does the protocol, the same for every chained type: ADD
 * requires {@code prevResult} and passes it on (with the container's new MAC), publishes {@code ports} on the attachment a
 * CNI ADD made for the container as CNI_IFNAME (never one the CLI made; code 3 without one) and acts in the container
 * ({@link InContainer}); DEL unpublishes every port of that attachment, as the reference portmap removes all it made, and
 * undoes nothing in the container (what it tuned goes with its interface and namespace); CHECK compares the same; a
 * plugin that adds rules of the network has CHECK find them recorded and STATUS the firewall backend usable.
 */
record CniChained(String type, NetworkPlugin plugin) implements CniPlugin {

    @Override
    public String call(CniCall call, CniContext ctx) {
        NetworkConfig net = network(call, ctx);
        CniChange change = Mapping.of(type, () -> plugin.cniChange(DriverConf.object(call.config()), call.args(), net), true);
        if (change == null) { // a driver's type (or one it does not serve: its cniOptions says)
            return new CniDriver(type, plugin).call(call, ctx);
        }
        backend(change.backend(), ctx);
        boolean container = change.sysctls() != null;
        String verb = call.verb();
        if (verb.equals("ADD") || (verb.equals("CHECK") && (change.ports() != null || container)) || (verb.equals("DEL") && change.ports() != null)) {
            call.require(container ? new String[] {"CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH"}
                    : new String[] {"CNI_CONTAINERID", "CNI_IFNAME", "CNI_PATH"});
        }
        return switch (verb) {
            case "ADD" -> add(call, ctx, net, change);
            case "DEL" -> del(call, ctx, net, change);
            case "CHECK" -> check(call, ctx, net, change);
            case "STATUS" -> status(ctx, net);
            default -> "";
        };
    }

    /** The Patchbay network the configuration names, or null (none, or no valid name: the plugin decides). */
    private static NetworkConfig network(CniCall call, CniContext ctx) {
        String name;
        try {
            name = call.network();
        } catch (CniError noName) {
            return null;
        }
        return ctx.networks().find(name).orElse(null);
    }

    /**
     * The reference firewall's and portmap's {@code backend}: absent, or the one Patchbay's firewall uses here, is
     * honoured; another is not served (the call goes to the reference plugin on CNI_PATH, or fails naming it).
     */
    private static void backend(String asked, CniContext ctx) {
        if (asked == null) {
            return;
        }
        String uses = ctx.firewall().host(ctx.stateDir(), ctx.hostRef()).backend();
        if (!asked.equals(uses)) {
            throw new Unserved("backend", "backend \"" + asked + "\" (Patchbay's firewall uses \"" + uses + "\" here)");
        }
    }

    private String add(CniCall call, CniContext ctx, NetworkConfig net, CniChange change) {
        JsonObject prev = prevResult(call);
        if (change.ports() != null && !change.ports().isEmpty()) {
            Attachment a = attachment(call, ctx, net);
            ctx.attachments().publish(ctx.hostRef(), a.network(), a.containerId(), change.ports(), true);
        }
        if (change.sysctls() != null) {
            prev = InContainer.add(call, ctx, change, prev);
        }
        return JsonText.write(Results.convert(prev, call.version()));
    }

    private static String del(CniCall call, CniContext ctx, NetworkConfig net, CniChange change) {
        if (change.ports() != null && net != null) {
            Attachment a = ctx.attachments().findCni(net.name(), call.containerId(), call.ifName()).orElse(null); // never the CLI's
            if (a != null && !a.ports().isEmpty()) {
                ctx.attachments().publish(ctx.hostRef(), net.name(), a.containerId(), a.ports(), false);
            }
        }
        return "";
    }

    private String check(CniCall call, CniContext ctx, NetworkConfig net, CniChange change) {
        prevResult(call);
        if (change.sysctls() != null) {
            InContainer.check(call, ctx, change);
        }
        if (change.ports() != null) {
            Attachment a = attachment(call, ctx, net);
            List<String> missing = new ArrayList<>();
            for (PortMapping p : change.ports()) {
                if (!a.ports().contains(p)) {
                    missing.add(p.toString());
                }
            }
            if (!missing.isEmpty()) {
                throw new CniError(CniError.PATCHBAY + 1, "CHECK: \"" + a.containerId() + "\" does not publish " + String.join(", ", missing));
            }
        }
        if (addsNetworkRules(ctx, net) && !ctx.firewall().host(ctx.stateDir(), ctx.hostRef()).rulesets().containsKey(RulesetOwner.of("net:" + net.name()))) {
            throw new CniError(CniError.PATCHBAY + 1, "CHECK: network \"" + net.name() + "\" has no firewall rules recorded");
        }
        return "";
    }

    private String status(CniContext ctx, NetworkConfig net) {
        if (addsNetworkRules(ctx, net)) {
            var fw = ctx.firewall().host(ctx.stateDir(), ctx.hostRef());
            String backend = fw.backend();
            if (fw.backends().stream().noneMatch(b -> b.name().equals(backend) && b.usable())) {
                throw new CniError(CniError.NOT_AVAILABLE, "the firewall backend \"" + backend + "\" is not usable here");
            }
        }
        return "";
    }

    /** Whether the plugin, in the network's chain, adds rules of the network (the firewall plugin's forward accepts). */
    private boolean addsNetworkRules(CniContext ctx, NetworkConfig net) {
        if (net == null || !net.plugins().contains(type)) {
            return false;
        }
        List<Rule> rules = new ArrayList<>();
        NetworkPlugin driver = ctx.manager().installed(net.driver()).orElse(null);
        plugin.networkRules(new NetworkContext(ctx.host(), ctx.stack(), net, driver == null ? null : driver.hostInterface(net)), rules);
        return !rules.isEmpty();
    }

    /** The attachment a CNI ADD made for the container as CNI_IFNAME; code 3 without one. */
    private static Attachment attachment(CniCall call, CniContext ctx, NetworkConfig net) {
        String id = call.containerId();
        String name = net == null ? call.network() : net.name();
        return (net == null ? java.util.Optional.<Attachment>empty() : ctx.attachments().findCni(name, id, call.ifName()))
                .orElseThrow(() -> new CniError(CniError.UNKNOWN_CONTAINER, "\"" + id + "\" is not attached to network \"" + name
                        + "\" as " + call.ifName() + " by CNI"));
    }

    /** {@code prevResult}, required on ADD and CHECK: a chained plugin acts on what the plugins before it made. */
    private JsonObject prevResult(CniCall call) {
        JsonObject prev = Results.prevResult(Conf.root(call.config()));
        if (prev == null) {
            throw CniError.config("prevResult", null, "is required: " + call.type() + " is a chained plugin");
        }
        return prev;
    }
}
