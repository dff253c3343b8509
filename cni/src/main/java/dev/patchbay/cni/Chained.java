package dev.patchbay.cni;

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

    /**
     * The reference firewall's and portmap's {@code backend}: empty or absent, or the one Patchbay's firewall uses here,
     * is honoured; another is not served (the call goes to the reference plugin on CNI_PATH, or fails naming it).
     */
    static void backend(Conf c, CniContext ctx) {
        String asked = c.text("backend");
        if (asked == null) {
            return;
        }
        String uses = ctx.firewall().host(ctx.stateDir(), ctx.hostRef()).backend();
        if (!asked.equals(uses)) {
            throw new Unserved("backend", "backend \"" + asked + "\" (Patchbay's firewall uses \"" + uses + "\" here)");
        }
    }

    /** A key Patchbay does not serve when it is set (not absent, null, false, empty or 0). */
    static void unservedIfSet(Conf c, String key, String what) {
        com.google.gson.JsonElement e = c.json().get(key);
        if (e == null || e.isJsonNull()) {
            return;
        }
        boolean set = e.isJsonPrimitive() ? !(e.getAsJsonPrimitive().isBoolean() && !e.getAsBoolean())
                && !e.getAsString().isEmpty() && !e.getAsString().equals("0")
                : e.isJsonArray() ? !e.getAsJsonArray().isEmpty() : !e.getAsJsonObject().isEmpty();
        if (set) {
            throw new Unserved(key, what + " (" + key + ")");
        }
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
