package dev.patchbay.orchestrator.state;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.core.errors.BackendException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A map of keys to JSON values kept in the state directory as a log of JSON lines:
 * <pre>
 * {"op":"log","gen":G,...}                 first line: the generation, which changes when the log is rewritten
 * {"op":"put","key":"K","value":{...}}     K now holds this value
 * {"op":"del","key":"K"}
 * </pre>
 * Changing a value appends one line to a file that exists: no new inode, no rename, whatever the number of keys.
 * This object keeps what it read; {@link #refresh} reads only what others appended since (all of it when the
 * generation changed). When dead lines outweigh live ones the log is rewritten (temp file, rename), so a reader
 * sees the old file or the new one. A line a crash cut short is ignored, and cut off before the next append.
 * No fsync: what the logs describe — links, rules, addresses in namespaces — does not survive a reboot either.
 * <p>
 * Writers hold the lock that guards the log (one per log, the caller's); readers need none, since they only
 * consume complete lines. Methods are synchronized: threads of one process may share one object.
 */
public final class StateLog {
    private static final int HEADER_MAX = 4096;
    private static final long COMPACT_MIN = 64 * 1024;

    /** What a typed index over the log is told of each change, in order (also while catching up). */
    public interface Listener {
        void reset();

        void put(String key, String json);

        void remove(String key);
    }

    private static final Listener NONE = new Listener() {
        @Override
        public void reset() {
        }

        @Override
        public void put(String key, String json) {
        }

        @Override
        public void remove(String key) {
        }
    };

    /** The process's views of the logs that need no listener, by file. */
    private static final Map<Path, StateLog> SHARED = new java.util.concurrent.ConcurrentHashMap<>();

    private final Path file;
    private final Map<String, String> header;
    private final Listener listener;
    private long gen;
    private long valid;
    private final Map<String, String> values = new TreeMap<>();
    private final Map<String, Integer> lineBytes = new TreeMap<>();

    /** {@code header}: fields for people reading the file, written into its first line. */
    public StateLog(Path file, Map<String, String> header, Listener listener) {
        this.file = file;
        this.header = header;
        this.listener = listener == null ? NONE : listener;
    }

    /** This process's one view of {@code file} (made with {@code header} the first time); callers refresh it. */
    public static StateLog shared(Path file, Map<String, String> header) {
        return SHARED.computeIfAbsent(file.toAbsolutePath().normalize(), f -> new StateLog(f, header, null));
    }

    /** Forgets the shared view of {@code file} (its log was deleted with what it described). */
    public static void unshare(Path file) {
        SHARED.remove(file.toAbsolutePath().normalize());
    }

    public Path file() {
        return file;
    }

    /** Brings this view up to date with the file. */
    public synchronized StateLog refresh() {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            catchUp(ch);
        } catch (NoSuchFileException e) {
            reset();
        } catch (IOException | RuntimeException e) {
            reset();
            throw new BackendException("failed to read state file \"" + file + "\": " + e.getMessage(), e);
        }
        return this;
    }

    /** Reads what was appended since, or all of it when the file is another generation. */
    private void catchUp(FileChannel ch) throws IOException {
        long size = ch.size();
        if (gen == 0 || size < valid || headerGen(ch) != gen) {
            reset();
            readFrom(ch, 0, size);
        } else if (size > valid) {
            readFrom(ch, valid, size);
        }
    }

    /** The JSON of {@code key}, or null. */
    public synchronized String get(String key) {
        return values.get(key);
    }

    /** Every key's JSON, by key. */
    public synchronized Map<String, String> all() {
        return Collections.unmodifiableMap(new TreeMap<>(values));
    }

    public synchronized boolean isEmpty() {
        return values.isEmpty();
    }

    /** Sets {@code key} to {@code json} (one JSON value, on one line); the caller holds the writers' lock. */
    public synchronized void put(String key, String json) {
        JsonObject line = new JsonObject();
        line.addProperty("op", "put");
        line.addProperty("key", key);
        line.add("value", JsonParser.parseString(json));
        append(line);
    }

    /** Removes {@code key}, if this view (refreshed under the writers' lock, which the caller holds) has it. */
    public synchronized void remove(String key) {
        if (!values.containsKey(key)) {
            return;
        }
        JsonObject line = new JsonObject();
        line.addProperty("op", "del");
        line.addProperty("key", key);
        append(line);
    }

    /** Deletes the file if it holds no key; the caller holds the writers' lock. */
    public synchronized void deleteIfEmpty() {
        if (values.isEmpty()) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new BackendException("failed to delete state file \"" + file + "\": " + e.getMessage(), e);
            }
            reset();
        }
    }

    private void reset() {
        gen = 0;
        valid = 0;
        values.clear();
        lineBytes.clear();
        listener.reset();
    }

    private static long headerGen(FileChannel ch) throws IOException {
        byte[] head = read(ch, 0, (int) Math.min(HEADER_MAX, ch.size()));
        for (int i = 0; i < head.length; i++) {
            if (head[i] == '\n') {
                JsonObject h = JsonParser.parseString(new String(head, 0, i, StandardCharsets.UTF_8)).getAsJsonObject();
                return h.has("gen") ? h.get("gen").getAsLong() : -1;
            }
        }
        return -1;
    }

    /** Reads the complete lines in [from, to); a last line without its newline (a crash cut it) is left unread. */
    private void readFrom(FileChannel ch, long from, long to) throws IOException {
        byte[] bytes = read(ch, from, Math.toIntExact(to - from));
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                JsonObject line = JsonParser.parseString(new String(bytes, start, i - start, StandardCharsets.UTF_8)).getAsJsonObject();
                apply(line, i + 1 - start, from + start);
                start = i + 1;
            }
        }
        valid = from + start;
    }

    private static byte[] read(FileChannel ch, long from, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining() && ch.read(b, from + b.position()) > 0) {
            // a short read: read on
        }
        return b.position() == n ? b.array() : java.util.Arrays.copyOf(b.array(), b.position());
    }

    private void apply(JsonObject line, int bytes, long at) {
        String op = line.has("op") ? line.get("op").getAsString() : null;
        if (at == 0) {
            if (!"log".equals(op) || !line.has("gen")) {
                throw new BackendException("the first line is not a log header");
            }
            gen = line.get("gen").getAsLong();
            return;
        }
        if (!"put".equals(op) && !"del".equals(op)) {
            throw new BackendException("unknown entry \"" + op + "\" at byte " + at);
        }
        if (!line.has("key") || ("put".equals(op) && !line.has("value"))) {
            throw new BackendException("an incomplete \"" + op + "\" entry at byte " + at);
        }
        String key = line.get("key").getAsString();
        switch (String.valueOf(op)) {
            case "put" -> {
                String json = line.get("value").toString();
                values.put(key, json);
                lineBytes.put(key, bytes);
                listener.put(key, json);
            }
            case "del" -> {
                values.remove(key);
                lineBytes.remove(key);
                listener.remove(key);
            }
            default -> throw new IllegalStateException(op);
        }
    }

    private void append(JsonObject line) {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                catchUp(ch); // cheap when this view is current: the caller refreshed it under the same lock
                if (gen != 0) {
                    if (ch.size() != valid) {
                        ch.truncate(valid); // a line a crash cut short
                    }
                    writeFully(ch, bytes, valid);
                }
            } catch (NoSuchFileException e) {
                reset();
            }
            if (gen == 0) {
                rewrite(line, bytes); // no log yet (or an empty one a crash left): start one
                return;
            }
            apply(line, bytes.length, valid);
            valid += bytes.length;
            if (valid > COMPACT_MIN && valid > 4 * live()) {
                rewrite(null, null);
            }
        } catch (IOException | RuntimeException e) {
            reset(); // read again next time
            throw new BackendException("failed to write state file \"" + file + "\": " + e.getMessage(), e);
        }
    }

    private long live() {
        long n = 256;
        for (int b : lineBytes.values()) {
            n += b;
        }
        return n;
    }

    /** Writes the log anew in a new generation: the header, every key, then {@code extra} (applied once written). */
    private void rewrite(JsonObject extra, byte[] extraBytes) throws IOException {
        JsonObject h = new JsonObject();
        h.addProperty("op", "log");
        h.addProperty("gen", ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE));
        header.forEach(h::addProperty);
        StringBuilder text = new StringBuilder().append(h).append('\n');
        values.forEach((k, v) -> {
            JsonObject p = new JsonObject();
            p.addProperty("op", "put");
            p.addProperty("key", k);
            p.add("value", JsonParser.parseString(v));
            String l = p + "\n";
            lineBytes.put(k, l.getBytes(StandardCharsets.UTF_8).length);
            text.append(l);
        });
        byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
        Path tmp = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + "."
                + Thread.currentThread().getId() + ".tmp");
        try {
            try (FileChannel ch = create(tmp)) {
                writeFully(ch, body, 0);
                if (extraBytes != null) {
                    writeFully(ch, extraBytes, body.length);
                }
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        gen = h.get("gen").getAsLong();
        valid = body.length;
        if (extra != null) {
            apply(extra, extraBytes.length, valid);
            valid += extraBytes.length;
        }
    }

    private static FileChannel create(Path f) throws IOException {
        try {
            return FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (NoSuchFileException e) {
            Files.createDirectories(f.getParent());
            return FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        }
    }

    private static void writeFully(FileChannel ch, byte[] bytes, long at) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            ch.write(b, at + b.position());
        }
    }
}
