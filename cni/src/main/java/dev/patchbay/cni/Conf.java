package dev.patchbay.cni;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSON object of the network configuration, read by typed getters that name the field in error results
 * ({@code ipam.ranges[0][0].subnet}). Absent and {@code null} members are the same: absent. A member of the wrong
 * type is code 7 naming it. Members are found as Go finds them ({@link GoKeys}).
 */
final class Conf {
    private final JsonObject json;
    private final String path;

    Conf(JsonObject json, String path) {
        this.json = json;
        this.path = path;
    }

    static Conf root(JsonObject json) {
        return new Conf(json, "");
    }

    JsonObject json() {
        return json;
    }

    /** The full name of member {@code key}, for messages. */
    String field(String key) {
        return path + key;
    }

    boolean has(String key) {
        JsonElement e = GoKeys.member(json, key);
        return e != null && !e.isJsonNull();
    }

    private JsonElement get(String key) {
        JsonElement e = GoKeys.member(json, key);
        return e == null || e.isJsonNull() ? null : e;
    }

    String string(String key) {
        JsonElement e = get(key);
        if (e == null) {
            return null;
        }
        if (!(e instanceof JsonPrimitive p && p.isString())) {
            throw CniError.config(field(key), e, "must be a string");
        }
        return p.getAsString();
    }

    /** A string that, when present, is not empty (host-local treats "" as absent: so do we). */
    String text(String key) {
        String s = string(key);
        return s == null || s.isEmpty() ? null : s;
    }

    boolean bool(String key, boolean fallback) {
        JsonElement e = get(key);
        if (e == null) {
            return fallback;
        }
        if (!(e instanceof JsonPrimitive p && p.isBoolean())) {
            throw CniError.config(field(key), e, "must be true or false");
        }
        return p.getAsBoolean();
    }

    /** A whole number within {@code min..max}, or null when absent. */
    Integer integer(String key, int min, int max) {
        JsonElement e = get(key);
        if (e == null) {
            return null;
        }
        if (!(e instanceof JsonPrimitive p && p.isNumber()) || !p.getAsString().matches("-?\\d{1,10}")
                || Long.parseLong(p.getAsString()) < min || Long.parseLong(p.getAsString()) > max) {
            throw CniError.config(field(key), e, "must be a whole number in " + min + ".." + max);
        }
        return p.getAsInt();
    }

    Conf object(String key) {
        JsonElement e = get(key);
        if (e == null) {
            return null;
        }
        if (!e.isJsonObject()) {
            throw CniError.config(field(key), e, "must be an object");
        }
        return new Conf(e.getAsJsonObject(), field(key) + ".");
    }

    JsonArray array(String key) {
        JsonElement e = get(key);
        if (e == null) {
            return null;
        }
        if (!e.isJsonArray()) {
            throw CniError.config(field(key), e, "must be a list");
        }
        return e.getAsJsonArray();
    }

    /** The objects of list {@code key}, each named {@code key[i]}; empty when absent. */
    List<Conf> objects(String key) {
        JsonArray a = array(key);
        List<Conf> out = new ArrayList<>();
        for (int i = 0; a != null && i < a.size(); i++) {
            if (!a.get(i).isJsonObject()) {
                throw CniError.config(field(key) + "[" + i + "]", a.get(i), "must be an object");
            }
            out.add(new Conf(a.get(i).getAsJsonObject(), field(key) + "[" + i + "]."));
        }
        return out;
    }

    /** The strings of list {@code key}; empty when absent. */
    List<String> strings(String key) {
        JsonArray a = array(key);
        List<String> out = new ArrayList<>();
        for (int i = 0; a != null && i < a.size(); i++) {
            if (!(a.get(i) instanceof JsonPrimitive p && p.isString())) {
                throw CniError.config(field(key) + "[" + i + "]", a.get(i), "must be a string");
            }
            out.add(a.get(i).getAsString());
        }
        return out;
    }
}
