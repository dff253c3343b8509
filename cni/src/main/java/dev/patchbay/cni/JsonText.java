package dev.patchbay.cni;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.Map;

/**
 * JSON text as the reference plugins print their results: members in the order they were added, four spaces of
 * indent per level, {@code {}} and {@code []} for empty ones, a newline at the end.
 */
final class JsonText {
    private JsonText() {
    }

    static String write(JsonElement e) {
        StringBuilder sb = new StringBuilder();
        write(sb, e, 0);
        return sb.append('\n').toString();
    }

    private static void write(StringBuilder sb, JsonElement e, int depth) {
        if (e == null || e.isJsonNull()) {
            sb.append("null");
        } else if (e instanceof JsonObject o) {
            if (o.size() == 0) {
                sb.append("{}");
                return;
            }
            sb.append('{');
            boolean first = true;
            for (Map.Entry<String, JsonElement> m : o.entrySet()) {
                sb.append(first ? "\n" : ",\n");
                first = false;
                indent(sb, depth + 1);
                quote(sb, m.getKey());
                sb.append(": ");
                write(sb, m.getValue(), depth + 1);
            }
            sb.append('\n');
            indent(sb, depth);
            sb.append('}');
        } else if (e instanceof JsonArray a) {
            if (a.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append('[');
            for (int i = 0; i < a.size(); i++) {
                sb.append(i == 0 ? "\n" : ",\n");
                indent(sb, depth + 1);
                write(sb, a.get(i), depth + 1);
            }
            sb.append('\n');
            indent(sb, depth);
            sb.append(']');
        } else {
            JsonPrimitive p = e.getAsJsonPrimitive();
            if (p.isString()) {
                quote(sb, p.getAsString());
            } else {
                sb.append(p.getAsString()); // numbers as written, true, false
            }
        }
    }

    private static void indent(StringBuilder sb, int depth) {
        sb.append("    ".repeat(depth));
    }

    static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
