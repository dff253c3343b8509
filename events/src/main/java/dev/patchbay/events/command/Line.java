package dev.patchbay.events.command;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One event as {@code patchbay events} prints it. {@code source}: {@code patchbay} (its own, posted on Event Admin) or
 * {@code kernel} (a netlink notification); {@code network}, {@code container}, {@code link} and {@code detail} may be
 * null. Text: {@code TIME SOURCE TYPE [network N] [container C] [link L] [DETAIL]}; JSON: one object per line with
 * the members {@code time}, {@code source}, {@code type} and, when set, {@code network}, {@code container}, {@code link},
 * {@code detail} (members are only ever added). Times are RFC 3339, UTC, milliseconds.
 */
record Line(Instant time, String source, String type, String network, String container, String link, String detail) {
    static final String PATCHBAY = "patchbay";
    static final String KERNEL = "kernel";

    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    String timestamp() {
        return RFC3339.format(time);
    }

    String text() {
        StringBuilder b = new StringBuilder(timestamp()).append(' ').append(source).append(' ').append(type);
        if (network != null) {
            b.append(" network ").append(network);
        }
        if (container != null) {
            b.append(" container ").append(container);
        }
        if (link != null) {
            b.append(" link ").append(link);
        }
        if (detail != null && !detail.isEmpty()) {
            b.append(": ").append(detail);
        }
        return b.toString();
    }

    String json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", timestamp());
        m.put("source", source);
        m.put("type", type);
        put(m, "network", network);
        put(m, "container", container);
        put(m, "link", link);
        put(m, "detail", detail);
        return GSON.toJson(m);
    }

    private static void put(Map<String, Object> m, String key, String value) {
        if (value != null) {
            m.put(key, value);
        }
    }
}
