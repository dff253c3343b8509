package dev.patchbay.orchestrator.cni;

import com.google.gson.JsonObject;
import dev.patchbay.core.network.NetworkConfig;

/** What the chained plugins share: a Patchbay network with the plugin in its chain, and {@code prevResult}. */
final class Chained {
    private Chained() {
    }

    /**
     * The configuration's network when Patchbay has it and its chain holds {@code plugin}; else not served: the call
     * goes to the next {@code plugin} on CNI_PATH (e.g. the reference bridge made the network).
     */
    static NetworkConfig network(CniCall call, CniContext ctx, String plugin) {
        String name = call.network();
        NetworkConfig net = ctx.networks().find(name)
                .orElseThrow(() -> new Unserved("name", "network \"" + name + "\" is not a Patchbay network"));
        if (!net.plugins().contains(plugin)) {
            throw new Unserved("name", "network \"" + name + "\" has no " + plugin + " in its chain (" + String.join(", ", net.chain()) + ")");
        }
        return net;
    }

    /** {@code prevResult}, required on ADD and CHECK: a chained plugin acts on what the plugins before it made. */
    static JsonObject prevResult(CniCall call) {
        JsonObject prev = Results.prevResult(Conf.root(call.config()));
        if (prev == null) {
            throw CniError.config("prevResult", null, "is required: " + call.type() + " is a chained plugin");
        }
        return prev;
    }

    /** {@code prevResult} passed on, in the configuration's version. */
    static String echo(JsonObject prev, CniCall call) {
        return JsonText.write(Results.convert(prev, call.version()));
    }
}
