package dev.patchbay.netlink;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.testing.Sandbox;
import java.util.ArrayList;
import java.util.List;

/** Cross-checks through iproute2's JSON output ({@code ip -j ...}), outside the code under test. */
final class IpJson {
    private IpJson() {
    }

    /** {@code ip -j [-n NS] ARGS...} as a list of objects; ns null means the JVM's own namespace. */
    static List<JsonObject> ip(Sandbox sandbox, String ns, String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "-j"));
        if (ns != null) {
            argv.add("-n");
            argv.add(ns);
        }
        argv.addAll(List.of(args));
        String out = sandbox.run(argv.toArray(String[]::new)).trim();
        List<JsonObject> list = new ArrayList<>();
        if (out.isEmpty()) {
            return list;
        }
        JsonElement e = JsonParser.parseString(out);
        JsonArray a = e.isJsonArray() ? e.getAsJsonArray() : new JsonArray();
        a.forEach(x -> list.add(x.getAsJsonObject()));
        return list;
    }

    static JsonObject link(Sandbox sandbox, String ns, String name) {
        return ip(sandbox, ns, "-d", "link", "show", "dev", name).get(0);
    }

    static String str(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull() ? o.get(key).getAsString() : null;
    }
}
