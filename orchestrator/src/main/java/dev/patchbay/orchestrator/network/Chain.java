package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import dev.patchbay.core.spi.NetnsHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A network's plugins in chain order (the driver first), and the steps every use case takes through
 * them: set-ups in order, each one done counted so that a failure undoes exactly those in reverse;
 * teardowns in reverse, every plugin asked even when an earlier one failed; rules gathered from all.
 * Each call goes through {@link PluginCalls}: a deadline, and the plugin named ({@code origins}: its bundle's
 * symbolic name and version) in whatever it throws that is not one of Patchbay's errors. A plugin no bundle provides is
 * a {@link MissingPlugin}: what makes or checks something fails naming it, a teardown works from the records.
 */
record Chain(List<String> types, List<NetworkPlugin> plugins, List<String> origins) {

    /** {@code plugin "TYPE" (BUNDLE VERSION)}. */
    String who(int i) {
        return "plugin \"" + types.get(i) + "\" (" + origins.get(i) + ")";
    }

    /** Fails naming the first plugin of the chain no bundle provides ({@link MissingPlugin}), if any. */
    void requireInstalled() {
        for (NetworkPlugin p : plugins) {
            if (p instanceof MissingPlugin missing) {
                throw missing.unavailable();
            }
        }
    }

    /** Whether a plugin serves {@code capability}; every plugin must be installed to say. */
    boolean serves(String capability) {
        requireInstalled();
        for (NetworkPlugin p : plugins) {
            if (p.capabilities().contains(capability)) {
                return true;
            }
        }
        return false;
    }

    void validate(NetworkContext ctx, List<NetworkConfig> others) {
        for (int i = 0; i < plugins.size(); i++) {
            NetworkPlugin p = plugins.get(i);
            PluginCalls.run(who(i), "validate network \"" + ctx.config().name() + "\"", () -> p.validate(ctx, others));
        }
    }

    void validate(NetworkContext ctx, AttachRequest request) {
        for (int i = 0; i < plugins.size(); i++) {
            NetworkPlugin p = plugins.get(i);
            PluginCalls.run(who(i), "validate the attach of \"" + request.containerId() + "\"", () -> p.validate(ctx, request));
        }
    }

    /**
     * Sets up the network's host side, plugin by plugin. A failure tears down, in reverse, every plugin
     * that was started (the failing one too: it may have made part of its objects) and rethrows with the
     * teardown's failures attached.
     */
    void setUpNetwork(NetworkContext ctx) {
        for (int i = 0; i < plugins.size(); i++) {
            try {
                setUpNetwork(ctx, i);
            } catch (RuntimeException e) {
                ErrorCollector undo = new ErrorCollector();
                tearDownNetwork(ctx, i, undo);
                throw undo.attachTo(e);
            }
        }
    }

    /** Sets up plugin {@code i}'s part of the network's host side (also to repair it); one that ends late is torn down. */
    void setUpNetwork(NetworkContext ctx, int i) {
        NetworkPlugin p = plugins.get(i);
        PluginCalls.call(who(i), "set up network \"" + ctx.config().name() + "\"", () -> {
            p.setUpNetwork(ctx);
            return Boolean.TRUE;
        }, late -> tearDownNetworkPart(ctx, i, new ErrorCollector()));
    }

    /** What of the network's host side the plugins find missing (their CNI CHECK), in chain order, in words. */
    List<String> checkNetwork(NetworkContext ctx) {
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < plugins.size(); i++) {
            NetworkPlugin p = plugins.get(i);
            missing.addAll(PluginCalls.call(who(i), "check network \"" + ctx.config().name() + "\"", () -> List.copyOf(p.checkNetwork(ctx)), null));
        }
        return missing;
    }

    /** Whether a plugin's class checks attachments itself (one that does not is not called: no deadline thread per attachment). */
    private static final ClassValue<Boolean> CHECKS = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            try {
                return type.getMethod("check", NetworkContext.class, Attachment.class).getDeclaringClass() != NetworkPlugin.class;
            } catch (NoSuchMethodException e) {
                return true;
            }
        }
    };

    /** What of {@code attachment} plugin {@code i} finds missing, in words. */
    List<String> check(NetworkContext ctx, Attachment attachment, int i) {
        NetworkPlugin p = plugins.get(i);
        if (!CHECKS.get(p.getClass())) {
            return List.of();
        }
        return PluginCalls.call(who(i), "check \"" + attachment.containerId() + "\"", () -> List.copyOf(p.check(ctx, attachment)), null);
    }

    /** Plugin {@code i} makes again what it found missing of {@code attachment}; false when it cannot. */
    boolean repair(NetworkContext ctx, Attachment attachment, int i) {
        NetworkPlugin p = plugins.get(i);
        return PluginCalls.call(who(i), "repair \"" + attachment.containerId() + "\"", () -> p.repair(ctx, attachment), null);
    }

    /** Plugin {@code i}'s options for network {@code name} read back when its record is lost ({@link NetworkPlugin#recover}). */
    Map<String, String> recover(NetnsHandle host, String name, List<Rule> rules, List<Attachment> attachments, int i) {
        NetworkPlugin p = plugins.get(i);
        return PluginCalls.call(who(i), "read back network \"" + name + "\"", () -> Map.copyOf(p.recover(host, name, rules, attachments)), null);
    }

    void tearDownNetwork(NetworkContext ctx, ErrorCollector errors) {
        tearDownNetwork(ctx, plugins.size() - 1, errors);
    }

    private void tearDownNetwork(NetworkContext ctx, int from, ErrorCollector errors) {
        for (int i = from; i >= 0; i--) {
            tearDownNetworkPart(ctx, i, errors);
        }
    }

    private void tearDownNetworkPart(NetworkContext ctx, int i, ErrorCollector errors) {
        NetworkPlugin p = plugins.get(i);
        ErrorCollector mine = new ErrorCollector();
        errors.run("tear down " + types.get(i) + " of network \"" + ctx.config().name() + "\"",
                () -> PluginCalls.run(who(i), "tear down network \"" + ctx.config().name() + "\"", () -> p.tearDownNetwork(ctx, mine)));
        merge("tear down " + types.get(i) + " of network \"" + ctx.config().name() + "\"", mine, errors);
    }

    List<Rule> networkRules(NetworkContext ctx) {
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < plugins.size(); i++) {
            NetworkPlugin p = plugins.get(i);
            rules.addAll(PluginCalls.call(who(i), "give the rules of network \"" + ctx.config().name() + "\"", () -> {
                List<Rule> mine = new ArrayList<>();
                p.networkRules(ctx, mine);
                return mine;
            }, null));
        }
        return rules;
    }

    /**
     * Plugs a container in, plugin by plugin, each given the attachment so far. A failure tears down, in
     * reverse, every plugin that was started (the failing one with what it had been given) and rethrows.
     */
    Attachment setUp(NetworkContext ctx, AttachRequest request, Attachment first) {
        Attachment att = first;
        for (int i = 0; i < plugins.size(); i++) {
            NetworkPlugin p = plugins.get(i);
            int at = i;
            Attachment given = att;
            try {
                att = PluginCalls.call(who(i), "set up \"" + request.containerId() + "\" on network \"" + ctx.config().name() + "\"",
                        () -> p.setUp(ctx, request, given), late -> tearDownPart(ctx, late, at, new ErrorCollector()));
                att = new Attachment(att.network(), att.containerId(), att.netnsPath(), att.ifName(), att.hostIf(), att.mac(),
                        att.addresses(), att.ports(), request.options()); // the request's, whatever a plugin returned
            } catch (RuntimeException e) {
                ErrorCollector undo = new ErrorCollector();
                tearDown(ctx, att, i, undo);
                throw undo.attachTo(e);
            }
        }
        return att;
    }

    void tearDown(NetworkContext ctx, Attachment attachment, ErrorCollector errors) {
        tearDown(ctx, attachment, plugins.size() - 1, errors);
    }

    private void tearDown(NetworkContext ctx, Attachment attachment, int from, ErrorCollector errors) {
        for (int i = from; i >= 0; i--) {
            tearDownPart(ctx, attachment, i, errors);
        }
    }

    private void tearDownPart(NetworkContext ctx, Attachment attachment, int i, ErrorCollector errors) {
        NetworkPlugin p = plugins.get(i);
        ErrorCollector mine = new ErrorCollector(); // the plugin's own: a call past its deadline may still add to it
        errors.run(types.get(i) + ": unplug \"" + attachment.containerId() + "\"",
                () -> PluginCalls.run(who(i), "unplug \"" + attachment.containerId() + "\"", () -> p.tearDown(ctx, attachment, mine)));
        merge("unplug \"" + attachment.containerId() + "\" (" + types.get(i) + ")", mine, errors);
    }

    /** What a plugin's teardown collected, once it returned in time. */
    private static void merge(String step, ErrorCollector mine, ErrorCollector errors) {
        for (PatchbayException e : mine.errors()) {
            errors.run(step, () -> {
                throw e;
            });
        }
    }

    List<Rule> attachmentRules(NetworkContext ctx, Attachment attachment) {
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < plugins.size(); i++) {
            NetworkPlugin p = plugins.get(i);
            rules.addAll(PluginCalls.call(who(i), "give the rules of \"" + attachment.containerId() + "\"", () -> {
                List<Rule> mine = new ArrayList<>();
                p.attachmentRules(ctx, attachment, mine);
                return mine;
            }, null));
        }
        return rules;
    }
}
