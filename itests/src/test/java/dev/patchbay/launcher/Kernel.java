package dev.patchbay.launcher;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the kernel holds, read from iproute2's and nft's JSON ({@code ip -j}, {@code nft -j}), outside the code under
 * test: end-to-end tests assert on these fields, not on the tools' text. A namespace null is the test's own.
 */
final class Kernel {
    private Kernel() {
    }

    /** {@code ip -j [-n NS] ARGS...} as a list of objects (empty when the tool printed nothing). */
    static List<JsonObject> ip(String ns, String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "-j"));
        if (ns != null) {
            argv.addAll(List.of("-n", ns));
        }
        argv.addAll(List.of(args));
        return objects(stdout(argv));
    }

    /** The names of the links in {@code ns}. */
    static Set<String> links(String ns) {
        Set<String> names = new TreeSet<>();
        ip(ns, "link", "show").forEach(l -> names.add(l.get("ifname").getAsString()));
        return names;
    }

    /** The link {@code dev} of {@code ns} ({@code ip -j link show dev DEV}), or null when there is none. */
    static JsonObject link(String ns, String dev) {
        return links(ns).contains(dev) ? ip(ns, "link", "show", "dev", dev).get(0) : null;
    }

    /**
     * The addresses ({@code ADDRESS/PREFIXLEN}) on {@code dev} of {@code ns} but those of scope link (IPv6's fe80::, which
     * the kernel gives every link that is up); dev null: on every link.
     */
    static Set<String> addresses(String ns, String dev) {
        Set<String> out = new TreeSet<>();
        List<JsonObject> links = dev == null ? ip(ns, "addr", "show") : links(ns).contains(dev) ? ip(ns, "addr", "show", "dev", dev) : List.of();
        for (JsonObject l : links) {
            for (JsonElement a : l.getAsJsonArray("addr_info")) {
                JsonObject ai = a.getAsJsonObject();
                if ("link".equals(str(ai, "scope"))) {
                    continue;
                }
                out.add(ai.get("local").getAsString() + "/" + ai.get("prefixlen").getAsInt());
            }
        }
        return out;
    }

    /** {@code nft -j list ruleset} in {@code ns}. */
    static Ruleset ruleset(String ns) {
        List<String> argv = new ArrayList<>(ns == null ? List.of() : List.of("ip", "netns", "exec", ns));
        argv.addAll(List.of("nft", "-j", "list", "ruleset"));
        JsonArray all = JsonParser.parseString(stdout(argv)).getAsJsonObject().getAsJsonArray("nftables");
        List<JsonObject> objects = new ArrayList<>();
        for (JsonElement e : all) {
            JsonObject o = e.getAsJsonObject().deepCopy();
            if (!o.has("metainfo")) {
                o.entrySet().forEach(kind -> stripHandles(kind.getValue()));
                objects.add(o);
            }
        }
        return new Ruleset(objects);
    }

    /**
     * A ruleset as nft prints it in JSON, without handles (which change when a rule is made again) so that two rulesets
     * holding the same rules are equal.
     */
    record Ruleset(List<JsonObject> objects) {
        /** The tables, as {@code FAMILY NAME}. */
        Set<String> tables() {
            Set<String> out = new TreeSet<>();
            of("table").forEach(t -> out.add(t.get("family").getAsString() + " " + t.get("name").getAsString()));
            return out;
        }

        /** The objects of one kind ({@code table}, {@code chain}, {@code rule}, {@code map}, {@code set}...). */
        List<JsonObject> of(String kind) {
            List<JsonObject> out = new ArrayList<>();
            objects.stream().filter(o -> o.has(kind)).forEach(o -> out.add(o.getAsJsonObject(kind)));
            return out;
        }

        /** The rules of {@code table} (any family), each as its list of expressions. */
        List<JsonArray> rules(String table) {
            List<JsonArray> out = new ArrayList<>();
            of("rule").stream().filter(r -> r.get("table").getAsString().equals(table)).forEach(r -> out.add(r.getAsJsonArray("expr")));
            return out;
        }

        /**
         * The published ports: destination ports a rule matches ({@code th/tcp/udp dport == N}, as iptables-nft and
         * nft rules print them) and the ports that key a map's elements (Patchbay's {@code fwd*} maps, {@code proto .
         * port : addr . port}: the last part of the key).
         */
        Set<Integer> dports() {
            Set<Integer> out = new TreeSet<>();
            for (JsonObject r : of("rule")) {
                for (JsonElement x : r.getAsJsonArray("expr")) {
                    JsonObject match = x.getAsJsonObject().getAsJsonObject("match");
                    if (match != null && match.get("left").isJsonObject() && match.getAsJsonObject("left").has("payload")
                            && "dport".equals(str(match.getAsJsonObject("left").getAsJsonObject("payload"), "field"))
                            && match.get("right").isJsonPrimitive() && match.get("right").getAsJsonPrimitive().isNumber()) {
                        out.add(match.get("right").getAsInt());
                    }
                }
            }
            for (JsonObject m : of("map")) {
                if (m.has("elem")) {
                    for (JsonElement e : m.getAsJsonArray("elem")) {
                        JsonElement key = e.getAsJsonArray().get(0);
                        if (key.isJsonObject() && key.getAsJsonObject().has("elem")) { // an element with a comment: {"elem": {"val": KEY, ...}}
                            key = key.getAsJsonObject().getAsJsonObject("elem").get("val");
                        }
                        if (key.isJsonObject() && key.getAsJsonObject().has("concat")) {
                            JsonArray parts = key.getAsJsonObject().getAsJsonArray("concat");
                            out.add(parts.get(parts.size() - 1).getAsInt());
                        }
                    }
                }
            }
            return out;
        }

        /** The source prefixes ({@code ADDRESS/LEN}) of rules that masquerade. */
        Set<String> masqueraded() {
            Set<String> out = new TreeSet<>();
            for (JsonObject r : of("rule")) {
                JsonArray expr = r.getAsJsonArray("expr");
                if (expr.toString().contains("\"masquerade\"")) {
                    for (JsonElement x : expr) {
                        JsonObject match = x.getAsJsonObject().getAsJsonObject("match");
                        if (match != null && match.toString().contains("\"saddr\"") && match.get("right").isJsonObject()
                                && match.getAsJsonObject("right").has("prefix")) {
                            JsonObject p = match.getAsJsonObject("right").getAsJsonObject("prefix");
                            out.add(p.get("addr").getAsString() + "/" + p.get("len").getAsInt());
                        }
                    }
                }
            }
            return out;
        }

        /** The interface names rules match ({@code iifname}/{@code oifname}, as a value or in an anonymous set). */
        Set<String> interfaces() {
            Set<String> out = new TreeSet<>();
            for (JsonObject r : of("rule")) {
                for (JsonElement x : r.getAsJsonArray("expr")) {
                    JsonObject match = x.getAsJsonObject().getAsJsonObject("match");
                    if (match == null || !match.get("left").isJsonObject() || !match.getAsJsonObject("left").has("meta")) {
                        continue;
                    }
                    String key = str(match.getAsJsonObject("left").getAsJsonObject("meta"), "key");
                    if ("iifname".equals(key) || "oifname".equals(key)) {
                        JsonElement right = match.get("right");
                        if (right.isJsonPrimitive()) {
                            out.add(right.getAsString());
                        } else if (right.isJsonObject() && right.getAsJsonObject().has("set")) {
                            right.getAsJsonObject().getAsJsonArray("set").forEach(v -> out.add(v.getAsString()));
                        }
                    }
                }
            }
            return out;
        }

        /** One line per object, sorted: the ruleset's contents in a form whose differences a reader can follow. */
        List<String> lines() {
            return objects.stream().map(JsonObject::toString).sorted().toList();
        }
    }

    /** The standard output of a command (its errors apart: they are no JSON), which must exit 0. */
    private static String stdout(List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.PIPE).start();
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", argv) + ": failed: " + new String(err.join(), StandardCharsets.UTF_8) + out);
            }
            return out;
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(String.join(" ", argv) + ": " + e, e);
        }
    }

    private static byte[] readAll(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private static void stripHandles(JsonElement e) {
        if (e.isJsonObject()) {
            e.getAsJsonObject().remove("handle");
        }
    }

    private static String str(JsonObject o, String key) {
        return o != null && o.has(key) && o.get(key).isJsonPrimitive() ? o.get(key).getAsString() : null;
    }

    private static List<JsonObject> objects(String out) {
        List<JsonObject> list = new ArrayList<>();
        if (out.isBlank()) {
            return list;
        }
        JsonElement e = JsonParser.parseString(out);
        if (e.isJsonArray()) {
            e.getAsJsonArray().forEach(x -> list.add(x.getAsJsonObject()));
        }
        return list;
    }
}
