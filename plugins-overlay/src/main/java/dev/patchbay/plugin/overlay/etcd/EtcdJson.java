package dev.patchbay.plugin.overlay.etcd;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The bodies of etcd's v3 JSON gateway and what its answers mean, without a socket: keys and values travel base64, 64-bit
 * numbers as strings (numbers are read either way), a field at its zero value is left out of an answer.
 */
public final class EtcdJson {
    private EtcdJson() {
    }

    public static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    public static String unb64(String s) {
        return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
    }

    /** The end of the range of every key that starts with {@code prefix} (its last byte plus one, carrying), base64. */
    public static String prefixEnd(String prefix) {
        byte[] b = prefix.getBytes(StandardCharsets.UTF_8);
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] != (byte) 0xff) {
                byte[] end = java.util.Arrays.copyOf(b, i + 1);
                end[i]++;
                return Base64.getEncoder().encodeToString(end);
            }
        }
        return Base64.getEncoder().encodeToString(new byte[] {0}); // every key
    }

    /** {@code /v3/kv/range} of one key, or of every key under {@code key} when {@code prefix}. */
    public static JsonObject range(String key, boolean prefix) {
        JsonObject o = new JsonObject();
        o.addProperty("key", b64(key));
        if (prefix) {
            o.addProperty("range_end", prefixEnd(key));
        }
        return o;
    }

    /** A put of a txn or of {@code /v3/kv/put}; lease 0: none. */
    public static JsonObject put(String key, String value, long lease) {
        JsonObject o = new JsonObject();
        o.addProperty("key", b64(key));
        o.addProperty("value", b64(value));
        if (lease != 0) {
            o.addProperty("lease", Long.toString(lease));
        }
        return o;
    }

    /** {@code /v3/kv/deleterange} of one key, or of every key under it. */
    public static JsonObject delete(String key, boolean prefix) {
        return range(key, prefix);
    }

    /** A compare of a txn: {@code target} CREATE (its create revision; 0: absent), MOD or VALUE, with {@code result} EQUAL, ... */
    public static JsonObject compare(String key, String target, String result, Object operand) {
        JsonObject o = new JsonObject();
        o.addProperty("key", b64(key));
        o.addProperty("target", target);
        o.addProperty("result", result);
        switch (target) {
            case "CREATE" -> o.addProperty("create_revision", operand.toString());
            case "MOD" -> o.addProperty("mod_revision", operand.toString());
            case "VALUE" -> o.addProperty("value", b64(operand.toString()));
            default -> throw new IllegalArgumentException("compare target " + target);
        }
        return o;
    }

    /** A request of a txn's success or failure list: {@code kind} request_put, request_range or request_delete_range. */
    public static JsonObject op(String kind, JsonObject body) {
        JsonObject o = new JsonObject();
        o.add(kind, body);
        return o;
    }

    public static JsonObject txn(List<JsonObject> compares, List<JsonObject> success, List<JsonObject> failure) {
        JsonObject o = new JsonObject();
        o.add("compare", array(compares));
        o.add("success", array(success));
        o.add("failure", array(failure));
        return o;
    }

    private static JsonArray array(List<JsonObject> items) {
        JsonArray a = new JsonArray();
        items.forEach(a::add);
        return a;
    }

    /** {@code /v3/watch}'s create_request for every key under {@code prefix} from {@code revision} (0: from now). */
    public static JsonObject watch(String prefix, long revision) {
        JsonObject create = range(prefix, true);
        if (revision > 0) {
            create.addProperty("start_revision", Long.toString(revision));
        }
        JsonObject o = new JsonObject();
        o.add("create_request", create);
        return o;
    }

    public static JsonObject parse(String body) {
        JsonElement e = JsonParser.parseString(body);
        return e.isJsonObject() ? e.getAsJsonObject() : new JsonObject();
    }

    /** A number the gateway wrote as a string or a number; 0 when left out (its zero value). */
    public static long number(JsonObject o, String field) {
        JsonElement e = o == null ? null : o.get(field);
        return e == null || e.isJsonNull() ? 0 : e.getAsLong();
    }

    /** The store's revision an answer was made at (its header's). */
    public static long revision(JsonObject answer) {
        return number(answer.getAsJsonObject("header"), "revision");
    }

    public static KeyValue kv(JsonObject o) {
        String value = o.has("value") ? unb64(o.get("value").getAsString()) : "";
        return new KeyValue(unb64(o.get("key").getAsString()), value, number(o, "create_revision"), number(o, "mod_revision"),
                number(o, "lease"));
    }

    /** The key-values of a range answer ({@code kvs}; none when left out). */
    public static List<KeyValue> kvs(JsonObject answer) {
        List<KeyValue> out = new ArrayList<>();
        if (answer.has("kvs")) {
            answer.getAsJsonArray("kvs").forEach(e -> out.add(kv(e.getAsJsonObject())));
        }
        return out;
    }

    /** Whether a txn's compares held ({@code succeeded}, left out when false). */
    public static boolean succeeded(JsonObject answer) {
        return answer.has("succeeded") && answer.get("succeeded").getAsBoolean();
    }

    /** The key-values the range requests of a txn's taken branch read, in order. */
    public static List<KeyValue> txnRanges(JsonObject answer) {
        List<KeyValue> out = new ArrayList<>();
        if (answer.has("responses")) {
            for (JsonElement r : answer.getAsJsonArray("responses")) {
                JsonObject range = r.getAsJsonObject().getAsJsonObject("response_range");
                if (range != null) {
                    out.addAll(kvs(range));
                }
            }
        }
        return out;
    }

    /** One line of a watch stream: its {@code result}'s events (a PUT's type is left out), or an error, or nothing. */
    public static WatchBatch watchLine(String line) {
        JsonObject o = parse(line);
        if (o.has("error")) {
            JsonObject err = o.getAsJsonObject("error");
            throw new IllegalStateException("etcd watch: " + (err.has("message") ? err.get("message").getAsString() : err.toString()));
        }
        JsonObject r = o.getAsJsonObject("result");
        if (r == null) {
            return new WatchBatch(0, false, false, List.of());
        }
        List<WatchEvent> events = new ArrayList<>();
        if (r.has("events")) {
            for (JsonElement e : r.getAsJsonArray("events")) {
                JsonObject ev = e.getAsJsonObject();
                boolean delete = ev.has("type") && "DELETE".equals(ev.get("type").getAsString());
                events.add(new WatchEvent(delete ? WatchEvent.Type.DELETE : WatchEvent.Type.PUT, kv(ev.getAsJsonObject("kv"))));
            }
        }
        boolean canceled = r.has("canceled") && r.get("canceled").getAsBoolean();
        return new WatchBatch(revision(r), r.has("created") && r.get("created").getAsBoolean(), canceled, events);
    }

    /** What one line of a watch stream said: the revision it was made at, whether it opened or ended the watch, its events. */
    public record WatchBatch(long revision, boolean created, boolean canceled, List<WatchEvent> events) {
    }
}
