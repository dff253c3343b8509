package dev.patchbay.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The benchmark's table: rows of {@link Stats} by label, free lines, and peer/patchbay ratios. */
final class Report {
    private final StringBuilder text = new StringBuilder();
    private final Map<String, Stats> rows = new LinkedHashMap<>();
    private final Map<String, Double> values = new LinkedHashMap<>();

    void line(String format, Object... args) {
        String s = String.format(Locale.ROOT, format, args);
        text.append(s).append('\n');
        System.out.println(s);
        System.out.flush();
    }

    void header(String title) {
        line("");
        line("== %s", title);
        line("%-52s %5s %8s %8s %8s %8s %8s %9s", "operation (ms)", "n", "median", "p90", "max", "c1-10", "last10", "ms/ctr");
    }

    Stats row(String label, List<Double> samples) {
        Stats s = Stats.of(samples);
        rows.put(label, s);
        line("%-52s %5d %8.2f %8.2f %8.2f %8.2f %8.2f %+9.4f", label, s.n(), s.median(), s.p90(), s.max(), s.first10(),
                s.last10(), s.slope());
        return s;
    }

    /** A single measured number (not a row of samples), e.g. the daemon's resident memory. */
    void value(String key, double v) {
        values.put(key, v);
    }

    Double value(String key) {
        return values.get(key);
    }

    Stats get(String label) {
        return rows.get(label);
    }

    /** One ratio line: the peer's median over Patchbay's median, when both rows exist. */
    void ratio(String what, String peer, String patchbay) {
        Stats a = rows.get(peer);
        Stats b = rows.get(patchbay);
        if (a == null || b == null || a.n() == 0 || b.n() == 0) {
            line("%-40s (missing: %s)", what, a == null || a.n() == 0 ? peer : patchbay);
            return;
        }
        line("%-40s %7.1fx   (%s %.2f ms / %s %.2f ms)", what, a.median() / b.median(), peer, a.median(), patchbay, b.median());
    }

    void write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text.toString());
    }
}
