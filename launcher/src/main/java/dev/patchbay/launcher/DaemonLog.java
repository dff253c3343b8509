package dev.patchbay.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.function.Supplier;

/**
 * The daemon's log: every line written to its stderr — the launcher's, the framework's, every bundle's
 * {@code System.err} — gets a level and, unless journald stamps it itself, an RFC 3339 time. Under systemd (stderr is
 * the journal's stream, as {@code JOURNAL_STREAM} names it) the level goes as journald's {@code <N>} priority prefix
 * ({@code sd-daemon(3)}), so {@code journalctl -p warning} finds the warnings. A line's level is read from its words, as
 * the bundles write them: {@code warning}, {@code error}, {@code failed}; the rest is info. Each request adds a line
 * ({@link RequestLog}). The setting log-level drops the lines below it ({@link #threshold}); what a reload of the
 * configuration says ({@value #CONFIGURATION}...) is a notice, always written.
 */
final class DaemonLog extends OutputStream {
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX");
    private final OutputStream out;
    private final boolean journal;
    private final Supplier<OffsetDateTime> clock;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    /** The lines a reload writes start so: level notice, never dropped. */
    static final String CONFIGURATION = "patchbay: daemon: configuration";
    /** The highest journald priority written (6 info, 4 warning, 3 error): the setting log-level. */
    private static volatile int threshold = 6;

    /** Sets the level below which lines are dropped: {@code info}, {@code warning} or {@code error}. */
    static void threshold(String level) {
        threshold = priority(level);
    }

    DaemonLog(OutputStream out, boolean journal, Supplier<OffsetDateTime> clock) {
        this.out = out;
        this.journal = journal;
        this.clock = clock;
    }

    /** Makes stderr the daemon's log (for {@code System.err} and for the returned stream); returns it. */
    static PrintStream install() {
        PrintStream err = new PrintStream(new DaemonLog(new java.io.FileOutputStream(java.io.FileDescriptor.err), journalStream(),
                () -> OffsetDateTime.now(ZoneOffset.UTC)), true, StandardCharsets.UTF_8);
        System.setErr(err);
        return err;
    }

    /** Whether stderr is the stream systemd connected to the journal: {@code JOURNAL_STREAM} is its device and inode. */
    static boolean journalStream() {
        String stream = System.getenv("JOURNAL_STREAM");
        if (stream == null || stream.indexOf(':') < 0) {
            return false;
        }
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString(); // socket:[INODE]
            return target.equals("socket:[" + stream.substring(stream.indexOf(':') + 1) + "]");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** The level of a line, by its words: {@code err}, {@code warning} or {@code info}; a request's line is info. */
    static String level(String text) {
        if (text.startsWith(RequestLog.PREFIX)) {
            return "info"; // it quotes the operator's words
        }
        if (text.startsWith(CONFIGURATION)) {
            return text.startsWith(CONFIGURATION + " error") ? "error" : "notice";
        }
        String t = text.toLowerCase(java.util.Locale.ROOT);
        if (t.contains("error") || t.contains("failed") || t.contains("exception")) {
            return "error";
        }
        return t.contains("warning") || t.contains("refused") ? "warning" : "info";
    }

    /** journald's priority of a level: 3 err, 4 warning, 5 notice, 6 info. */
    static int priority(String level) {
        return switch (level) {
            case "error" -> 3;
            case "warning" -> 4;
            case "notice" -> 5;
            default -> 6;
        };
    }

    /** Whether a line of this level is written under the log-level threshold (a notice always is). */
    static boolean shown(String level) {
        int p = priority(level);
        return p == 5 || p <= threshold;
    }

    /** One line as logged, without its end. */
    String format(String text) {
        String level = level(text);
        return journal ? "<" + priority(level) + ">" + text : RFC3339.format(clock.get()) + " " + level + " " + text;
    }

    @Override
    public synchronized void write(int b) throws IOException {
        if (b == '\n') {
            emit();
        } else {
            line.write(b);
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        int start = off;
        for (int i = off; i < off + len; i++) {
            if (b[i] == '\n') {
                line.write(b, start, i - start);
                emit();
                start = i + 1;
            }
        }
        line.write(b, start, off + len - start);
    }

    private void emit() throws IOException {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (!shown(level(text))) {
            return;
        }
        out.write((format(text) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public synchronized void flush() throws IOException {
        out.flush(); // a line is written when it ends: a partial one waits for its end
    }
}
