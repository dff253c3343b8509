package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import java.util.ArrayList;
import java.util.List;

/**
 * A network's plugins in chain order (the driver first), and the steps every use case takes through
 * them: set-ups in order, each one done counted so that a failure undoes exactly those in reverse;
 * teardowns in reverse, every plugin asked even when an earlier one failed; rules gathered from all.
 */
record Chain(List<String> types, List<NetworkPlugin> plugins) {

    boolean serves(String capability) {
        for (NetworkPlugin p : plugins) {
            if (p.capabilities().contains(capability)) {
                return true;
            }
        }
        return false;
    }

    void validate(NetworkContext ctx, List<NetworkConfig> others) {
        plugins.forEach(p -> p.validate(ctx, others));
    }

    void validate(NetworkContext ctx, AttachRequest request) {
        plugins.forEach(p -> p.validate(ctx, request));
    }

    /**
     * Sets up the network's host side, plugin by plugin. A failure tears down, in reverse, every plugin
     * that was started (the failing one too: it may have made part of its objects) and rethrows with the
     * teardown's failures attached.
     */
    void setUpNetwork(NetworkContext ctx) {
        for (int i = 0; i < plugins.size(); i++) {
            try {
                plugins.get(i).setUpNetwork(ctx);
            } catch (RuntimeException e) {
                ErrorCollector undo = new ErrorCollector();
                tearDownNetwork(ctx, i, undo);
                throw undo.attachTo(e);
            }
        }
    }

    void tearDownNetwork(NetworkContext ctx, ErrorCollector errors) {
        tearDownNetwork(ctx, plugins.size() - 1, errors);
    }

    private void tearDownNetwork(NetworkContext ctx, int from, ErrorCollector errors) {
        for (int i = from; i >= 0; i--) {
            NetworkPlugin p = plugins.get(i);
            errors.run("tear down " + types.get(i) + " of network \"" + ctx.config().name() + "\"", () -> p.tearDownNetwork(ctx, errors));
        }
    }

    List<Rule> networkRules(NetworkContext ctx) {
        List<Rule> rules = new ArrayList<>();
        plugins.forEach(p -> p.networkRules(ctx, rules));
        return rules;
    }

    /**
     * Plugs a container in, plugin by plugin, each given the attachment so far. A failure tears down, in
     * reverse, every plugin that was started (the failing one with what it had been given) and rethrows.
     */
    Attachment setUp(NetworkContext ctx, AttachRequest request, Attachment first) {
        Attachment att = first;
        for (int i = 0; i < plugins.size(); i++) {
            try {
                att = plugins.get(i).setUp(ctx, request, att);
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
            NetworkPlugin p = plugins.get(i);
            errors.run(types.get(i) + ": unplug \"" + attachment.containerId() + "\"", () -> p.tearDown(ctx, attachment, errors));
        }
    }

    List<Rule> attachmentRules(NetworkContext ctx, Attachment attachment) {
        List<Rule> rules = new ArrayList<>();
        plugins.forEach(p -> p.attachmentRules(ctx, attachment, rules));
        return rules;
    }
}
