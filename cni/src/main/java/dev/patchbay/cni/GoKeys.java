package dev.patchbay.cni;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;

/**
 * How a member of a CNI JSON object is found, the one rule for every reader of a configuration, its
 * {@code runtimeConfig}, {@code args} and {@code prevResult} (the protocol code's and the plugins'): as Go's
 * {@code encoding/json} decodes into a struct, which the reference plugins and the runtimes are. A key names a field
 * exactly or without regard to case (Unicode simple case folding: {@code HostPort}, {@code hostport} and
 * {@code hostPort} are one field; so are the Kelvin sign and {@code k}); when several keys name the same field, each
 * one sets it in document order, so the last one wins. containerd's go-cni sends capability arguments with Go's field
 * names ({@code "HostPort":8080}), which the reference portmap takes.
 */
final class GoKeys {
    private GoKeys() {
    }

    /** {@code key} folded: equal for two keys exactly when Go's {@code strings.EqualFold} says so. */
    static String fold(String key) {
        StringBuilder sb = new StringBuilder(key.length());
        key.codePoints().forEach(c -> sb.appendCodePoint(Character.toLowerCase(Character.toUpperCase(c))));
        return sb.toString();
    }

    /** The key of {@code keys} (in document order) whose value field {@code name} gets, or null when none names it. */
    static String keyFor(Iterable<String> keys, String name) {
        String found = null;
        String folded = null;
        for (String k : keys) {
            if (k.equals(name)) {
                found = k;
            } else if (k.equalsIgnoreCase(name) || !isAscii(k) || !isAscii(name)) {
                if (folded == null) {
                    folded = fold(name);
                }
                if (fold(k).equals(folded)) {
                    found = k;
                }
            }
        }
        return found;
    }

    /** The value field {@code name} of {@code o} gets; null when no key names it. */
    static JsonElement member(JsonObject o, String name) {
        String k = keyFor(o.keySet(), name);
        return k == null ? null : o.get(k);
    }

    /** The list field {@code name} of {@code o} gets; empty when absent or not a list. */
    static com.google.gson.JsonArray array(JsonObject o, String name) {
        JsonElement e = member(o, name);
        return e != null && e.isJsonArray() ? e.getAsJsonArray() : new com.google.gson.JsonArray();
    }

    /** Sets field {@code name} of {@code o} to {@code value}, dropping every other key that names it. */
    static void set(JsonObject o, String name, String value) {
        for (String k; (k = keyFor(o.keySet(), name)) != null && !k.equals(name); ) {
            o.remove(k);
        }
        o.addProperty(name, value);
    }

    /** {@code m} (keys in document order) read by the same rule: what the plugins are handed. */
    static Map<String, Object> folding(Map<String, Object> m) {
        return new Folding(m);
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** A map whose {@code get} and {@code containsKey} follow {@link #keyFor}; iteration shows the keys as sent. */
    private static final class Folding extends AbstractMap<String, Object> {
        private final Map<String, Object> m;

        Folding(Map<String, Object> m) {
            this.m = m;
        }

        @Override
        public Object get(Object key) {
            String k = key instanceof String s ? keyFor(m.keySet(), s) : null;
            return k == null ? null : m.get(k);
        }

        @Override
        public boolean containsKey(Object key) {
            return key instanceof String s && keyFor(m.keySet(), s) != null;
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            return m.entrySet();
        }
    }
}
