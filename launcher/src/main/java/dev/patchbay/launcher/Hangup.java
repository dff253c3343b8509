package dev.patchbay.launcher;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import sun.misc.Signal;

/**
 * SIGHUP in the daemon ({@code systemctl reload}): reads the configuration again ({@link Settings}, the file under the
 * daemon's own environment). The live settings take their new values at once; the others are named in one line as
 * taking effect after a restart. A file that is refused changes nothing: the daemon logs why at error level (the file,
 * the line, the key, the value) and keeps the configuration it had. (The JVM's default for SIGHUP is to exit, which a
 * reload or a terminal closing would turn into an outage.)
 */
final class Hangup {
    private Hangup() {
    }

    static void handle(PrintWriter log) {
        Signal.handle(new Signal("HUP"), s -> {
            for (String line : reload(System.getenv())) {
                log.println(line);
            }
            log.flush();
        });
    }

    /** Reads the configuration again under {@code env}; applies what is live; returns the log lines that say what it did. */
    static synchronized List<String> reload(Map<String, String> env) {
        Settings had = Settings.current();
        Settings next;
        try {
            next = Settings.load(env);
        } catch (Settings.SettingsException e) {
            return List.of(DaemonLog.CONFIGURATION + " error: SIGHUP: refused " + e.getMessage() + "; keeping the configuration it had");
        }
        List<String> applied = new ArrayList<>();
        List<String> later = new ArrayList<>();
        for (Setting s : had.changed(next)) {
            if (s.live) {
                applied.add(s.key + " " + shown(had.get(s)) + " -> " + shown(next.get(s)));
            } else {
                later.add(s.key);
            }
        }
        Settings.replace(next.withRestartOnlyOf(had)); // its folders, socket and idle time stay those it started with
        DaemonLog.threshold(next.get(Setting.LOG_LEVEL));
        List<String> lines = new ArrayList<>();
        lines.add(DaemonLog.CONFIGURATION + ": SIGHUP: read " + next.file() + (applied.isEmpty() ? ": no live setting changed"
                : ": " + String.join(", ", applied)));
        if (!later.isEmpty()) {
            lines.add(DaemonLog.CONFIGURATION + ": " + String.join(", ", later) + (later.size() == 1 ? " takes" : " take")
                    + " effect after a restart");
        }
        return lines;
    }

    private static String shown(String value) {
        return value.isEmpty() ? "\"\"" : value;
    }
}
