package dev.patchbay.state;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.patchbay.core.errors.BackendException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A map of keys to JSON values kept in the state directory as a log of JSON lines:
 * <pre>
 * {"op":"log","gen":G,"format":1,...}      first line: the generation, which changes when the log is rewritten, and the
 *                                          {@link StateFormat} (none in a log of before formats: upgraded by its next write)
 * {"op":"put","key":"K","value":{...}}     K now holds this value
 * {"op":"del","key":"K"}
 * </pre>
 * Changing a value appends one line to a file that exists: no new inode, no rename, whatever the number of keys.
 * This object keeps what it read; {@link #refresh} reads only what others appended since (all of it when the
 * generation changed). When dead lines outweigh live ones the log is rewritten (temp file, rename), so a reader
 * sees the old file or the new one; a rewrite the file system refuses (a full disk) leaves it as it is. No fsync: what the logs describe — links, rules, addresses in namespaces —
 * does not survive a reboot either. Files are created 0600 in folders created 0700; a writer narrows a log (and its
 * folder) an older Patchbay left readable by others. Reading creates nothing.
 * <p>
 * <b>Torn and damaged lines.</b> The file's last bytes without a newline are a line cut short: a writer that
 * crashed mid-append, or one appending right now (readers hold no lock). They are left unread ({@link #torn()})
 * and the next writer, who holds the lock, cuts them off before its own append. Every other line that cannot be
 * read — not UTF-8, not JSON, an unknown or incomplete entry, a first line that is no header, even one ending the
 * file with its newline — is damage: it is skipped, the rest is read, and {@link #damage()} names its line and
 * what is wrong. {@link #refresh()} then throws {@link DamagedStateException} (the view still holds what was
 * readable); {@link #refreshReadable()} does not. While damaged a log is never compacted nor deleted, so nothing is
 * lost silently; {@link #repair()} rewrites it from the readable lines and keeps the damaged file beside it.
 * <p>
 * <b>What a caller must assume after a cut or damage.</b> What the lost line said cannot be recovered from the
 * log. A torn {@code put} is a change that may have been made in the kernel although its record never completed
 * (an attachment whose veth and address exist); a damaged {@code put} a key that is missing here; a damaged
 * {@code del} a key that is here but gone. So a caller must not take a key's absence as proof that what it would
 * describe is gone: before freeing anything (an address above all) it looks at the kernel — the address is freed
 * only if no interface holds it — and at the journal, which names an operation before the kernel is changed. A
 * writer under the lock sees {@link #torn()} before it cuts: the sign that the previous writer died mid-append.
 * <p>
 * Writers hold the lock that guards the log (one per log, the caller's); readers need none, since they only
 * consume complete lines. Methods are synchronized: threads of one process may share one object.
 */
public final class StateLog {
    private static final int HEADER_MAX = 4096;
    /**
     * Below this a log is never rewritten. Small: a one-shot run (a CLI command, a cold CNI call) reads and parses each
     * log it touches whole, and 64 KiB of dead lines cost it about 30 ms; a rewrite of a few KiB costs well under 1 ms.
     */
    private static final long COMPACT_MIN = 16 * 1024;
    /** {@link #gen} of a log whose first line is no header: read whole every time, appended to, never compacted. */
    private static final long NO_HEADER = -1;
    private static final Pattern COLUMN = Pattern.compile("column (\\d+)");

    /** One line that cannot be read: its number (1 is the header) and what is wrong, in words. */
    public record Damage(Path file, int line, String problem) {
        /** {@code line 3 is not valid JSON (at character 28): "{\"op\":\"put\",..."} */
        public String what() {
            return "line " + line + " " + problem;
        }

        @Override
        public String toString() {
            return "state file \"" + file + "\", " + what();
        }
    }

    /** What a typed index over the log is told of each change, in order (also while catching up); by default nothing. */
    public interface Listener {
        default void reset() {
        }

        default void put(String key, String json) {
        }

        default void remove(String key) {
        }
    }

    private static final Listener NONE = new Listener() { };

    /** The process's views of the logs that need no listener, by file. */
    private static final Map<Path, StateLog> SHARED = new java.util.concurrent.ConcurrentHashMap<>();

    private final Path file;
    private final Map<String, String> header;
    private final Listener listener;
    private long gen;
    /** The header's {@link StateFormat} ({@link StateFormat#NONE} in a log written before formats were recorded). */
    private int format;
    /** The file's header line as read: its members for people are kept when the log is rewritten. */
    private JsonObject fileHeader;
    private long valid;
    /** Complete lines before {@link #valid}. */
    private int lines;
    /** Bytes after the last complete line, at the last read. */
    private long torn;
    private final List<Damage> damage = new ArrayList<>();
    private boolean narrowed;
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

    /**
     * Brings this view up to date with the file (a missing file is an empty log; nothing is created).
     *
     * @throws DamagedStateException if the log holds damage; the view is up to date with every readable line
     */
    public synchronized StateLog refresh() {
        refreshReadable();
        if (!damage.isEmpty()) {
            throw new DamagedStateException(file, damage);
        }
        return this;
    }

    /** Like {@link #refresh()}, but a damaged log is read as far as it is readable: see {@link #damage()}. */
    public synchronized StateLog refreshReadable() {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            catchUp(ch);
        } catch (NoSuchFileException e) {
            reset();
        } catch (NewerStateException e) {
            reset();
            throw e;
        } catch (IOException | RuntimeException e) {
            reset();
            throw new BackendException("failed to read state file \"" + file + "\": " + words(e), e);
        }
        return this;
    }

    /**
     * Rewrites a whole log written before formats were recorded with the current format in its header (temp file,
     * rename: a reader or a crash sees the old file or the new one, with the same keys). Returns whether it did; a
     * damaged log is left for {@link #repair} (which writes the format too). The caller holds the writers' lock. An
     * append does the same on its own first: this is for a caller that upgrades without a change ({@code gc}).
     */
    public synchronized boolean upgrade() {
        refreshReadable();
        if (gen == 0 || gen == NO_HEADER || format >= StateFormat.CURRENT || !damage.isEmpty()) {
            return false;
        }
        try {
            rewrite(null, null);
        } catch (IOException | RuntimeException e) {
            reset();
            throw new BackendException("failed to write state file \"" + file + "\": " + words(e), e);
        }
        return true;
    }

    /** The lines the last read could not use, in file order; empty when the log is whole. */
    public synchronized List<Damage> damage() {
        return List.copyOf(damage);
    }

    /**
     * How many bytes after the last complete line the last read left unread: a writer mid-append, or — seen under the
     * writers' lock — one that crashed mid-append. The next append cuts them off; see the class comment.
     */
    public synchronized long torn() {
        return torn;
    }

    /** Reads what was appended since, or all of it when the file is another generation. */
    private void catchUp(FileChannel ch) throws IOException {
        long size = ch.size();
        if (gen == 0 || gen == NO_HEADER || size < valid || headerGen(ch) != gen) {
            reset();
            readFrom(ch, 0, size);
        } else if (size > valid) {
            readFrom(ch, valid, size);
        } else {
            torn = 0;
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

    /**
     * Deletes the file if it holds no key and no damage (a damaged log stays until {@link #repair}ed, a newer one is
     * refused); the caller holds the writers' lock.
     */
    public synchronized void deleteIfEmpty() {
        refreshReadable(); // as the file is now: one of a newer format throws, one written meanwhile stays
        if (values.isEmpty() && damage.isEmpty()) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new BackendException("failed to delete state file \"" + file + "\": " + words(e), e);
            }
            reset();
        }
    }

    /**
     * Rewrites a damaged log from its readable lines in a new generation, first keeping the damaged file beside it as
     * {@code NAME.damaged-YYYYMMDDTHHMMSSZ} (0600) for the operator, and cuts a torn last line. Returns that copy, or
     * null when the log had no damage. The caller holds the writers' lock and decides first, from the kernel, what
     * the damaged lines may have described (see the class comment); it may {@link #put} what it rebuilt afterwards.
     */
    public synchronized Path repair() {
        refreshReadable();
        if (damage.isEmpty()) {
            return null;
        }
        Path copy = file.resolveSibling(file.getFileName() + ".damaged-"
                + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now()));
        try {
            try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
                 FileChannel out = FileChannel.open(copy, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                         StandardOpenOption.TRUNCATE_EXISTING), Modes.FILE)) {
                long n = in.size();
                for (long at = 0; at < n; ) {
                    at += in.transferTo(at, n - at, out);
                }
            }
            rewrite(null, null);
        } catch (IOException | RuntimeException e) {
            reset();
            throw new BackendException("failed to repair state file \"" + file + "\": " + words(e), e);
        }
        return copy;
    }

    private void reset() {
        gen = 0;
        format = StateFormat.NONE;
        fileHeader = null;
        valid = 0;
        lines = 0;
        torn = 0;
        damage.clear();
        values.clear();
        lineBytes.clear();
        listener.reset();
    }

    /** The generation in the file's header, or {@link #NO_HEADER} if its first line is incomplete or no header. */
    private static long headerGen(FileChannel ch) throws IOException {
        byte[] head = read(ch, 0, (int) Math.min(HEADER_MAX, ch.size()));
        for (int i = 0; i < head.length; i++) {
            if (head[i] == '\n') {
                try {
                    JsonElement h = parseStrict(new String(head, 0, i, StandardCharsets.UTF_8));
                    return h.isJsonObject() ? generation(h.getAsJsonObject()) : NO_HEADER;
                } catch (IOException | RuntimeException e) {
                    return NO_HEADER;
                }
            }
        }
        return NO_HEADER;
    }

    /** A header's generation (a positive number), else {@link #NO_HEADER}. */
    private static long generation(JsonObject h) {
        JsonElement g = h.get("gen");
        if (!"log".equals(string(h, "op")) || g == null || !g.isJsonPrimitive() || !g.getAsJsonPrimitive().isNumber()) {
            return NO_HEADER;
        }
        try {
            long gen = g.getAsJsonPrimitive().getAsBigDecimal().longValueExact();
            return gen > 0 ? gen : NO_HEADER;
        } catch (ArithmeticException e) {
            return NO_HEADER;
        }
    }

    /** Reads the complete lines in [from, to); a last line without its newline (see {@link #torn()}) is left unread. */
    private void readFrom(FileChannel ch, long from, long to) throws IOException {
        byte[] bytes = read(ch, from, Math.toIntExact(to - from));
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder(); // reports bad bytes instead of replacing them
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                lines++;
                JsonObject line = parseLine(utf8, bytes, start, i - start, from + start == 0);
                if (line != null) {
                    apply(line, i + 1 - start, from + start);
                } else if (from + start == 0) {
                    gen = NO_HEADER; // a log, but of unknown generation: never started anew over its lines
                }
                start = i + 1;
            }
        }
        valid = from + start;
        torn = bytes.length - start;
    }

    /** One complete line as an entry, or null after noting in {@link #damage} what is wrong with it. */
    private JsonObject parseLine(CharsetDecoder utf8, byte[] bytes, int start, int length, boolean first) {
        String text;
        try {
            text = utf8.decode(ByteBuffer.wrap(bytes, start, length)).toString();
        } catch (CharacterCodingException e) {
            return damaged("holds bytes that are not UTF-8 text");
        }
        if (text.isBlank()) {
            return damaged(text.chars().allMatch(c -> c == 0) && !text.isEmpty() ? "holds only zero bytes" : "is empty");
        }
        JsonElement json;
        try {
            json = parseStrict(text);
        } catch (IOException | RuntimeException e) {
            Matcher at = COLUMN.matcher(String.valueOf(e.getMessage()));
            return damaged("is not valid JSON" + (at.find() ? " (at character " + at.group(1) + ")" : "") + ": " + excerpt(text));
        }
        if (!json.isJsonObject()) {
            return damaged("is not a JSON object: " + excerpt(text));
        }
        JsonObject line = json.getAsJsonObject();
        String op = string(line, "op");
        if (first) {
            try {
                StateFormat.of(file, line); // a newer format throws: refused, not damage
            } catch (IllegalArgumentException e) {
                return damaged(e.getMessage() + ": " + excerpt(text));
            }
            if (generation(line) == NO_HEADER) {
                return damaged("is not a log header (the first line must be {\"op\":\"log\",\"gen\":N,...}): " + excerpt(text));
            }
            return line;
        }
        if (op == null) {
            return damaged("has no \"op\": " + excerpt(text));
        }
        if (!op.equals("put") && !op.equals("del")) {
            return damaged(op.equals("log") ? "is a second log header" : "has an unknown op \"" + op + "\": " + excerpt(text));
        }
        if (string(line, "key") == null) {
            return damaged("is a \"" + op + "\" without a \"key\" string: " + excerpt(text));
        }
        if (op.equals("put") && !line.has("value")) {
            return damaged("is a \"put\" without a \"value\": " + excerpt(text));
        }
        return line;
    }

    private JsonObject damaged(String problem) {
        damage.add(new Damage(file, lines, problem));
        return null;
    }

    /** JSON as RFC 8259 has it: no comments, unquoted names or trailing text, which gson's lenient default accepts. */
    private static JsonElement parseStrict(String text) throws IOException {
        JsonReader reader = new JsonReader(new StringReader(text));
        reader.setStrictness(Strictness.STRICT);
        JsonElement e = JsonParser.parseReader(reader);
        if (reader.peek() != JsonToken.END_DOCUMENT) {
            throw new IOException("more after the value");
        }
        return e;
    }

    private static String string(JsonObject o, String member) {
        JsonElement e = o.get(member);
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() ? e.getAsString() : null;
    }

    /** The start of a line, quoted, control characters escaped, for an operator to recognise it. */
    private static String excerpt(String text) {
        StringBuilder sb = new StringBuilder("\"");
        int n = Math.min(text.length(), 48);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c == '"' || c == '\\' ? "\\" + c : String.valueOf(c));
            }
        }
        return sb.append(text.length() > n ? "...\"" : "\"").toString();
    }

    /** An I/O failure in words, without the exception's class name. */
    static String words(Exception e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied (run as root)";
        }
        if (e instanceof FileSystemException f) {
            return f.getReason() != null ? f.getReason() : e instanceof NoSuchFileException ? "not found" : "file system error";
        }
        return e.getMessage() == null ? "I/O error" : e.getMessage();
    }

    private static byte[] read(FileChannel ch, long from, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining() && ch.read(b, from + b.position()) > 0) {
            // a short read: read on
        }
        return b.position() == n ? b.array() : java.util.Arrays.copyOf(b.array(), b.position());
    }

    /** Applies an entry {@link #parseLine} accepted (or this view wrote). */
    private void apply(JsonObject line, int bytes, long at) {
        String op = string(line, "op");
        if (at == 0) {
            gen = generation(line);
            format = StateFormat.of(file, line);
            fileHeader = line;
            return;
        }
        String key = string(line, "key");
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

    /**
     * Appends after the last complete line (a torn one is cut off), or starts the log when it has no complete line
     * yet. A damaged log is appended to as it is: its damage stays, and it is not compacted until repaired.
     */
    private void append(JsonObject line) {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        boolean upgradeWith = false;
        try {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                catchUp(ch); // cheap when this view is current: the caller refreshed it under the same lock
                if (!narrowed) {
                    Modes.narrow(file);
                    Modes.narrow(file.getParent());
                    narrowed = true;
                }
                if (gen != 0 && gen != NO_HEADER && format < StateFormat.CURRENT && damage.isEmpty()) {
                    upgradeWith = true; // a log of before formats: written anew with the format, then this line
                } else if (gen != 0) {
                    if (ch.size() != valid) {
                        ch.truncate(valid); // a line a crash cut short
                    }
                    writeFully(ch, bytes, valid);
                }
            } catch (NoSuchFileException e) {
                reset();
            }
            if (upgradeWith) {
                try {
                    rewrite(line, bytes);
                    return;
                } catch (IOException refused) { // a full disk (a rewrite needs room for the whole log): the line is appended
                    appendLine(bytes); // as before, and a later write upgrades the log
                }
            } else if (gen == 0) {
                rewrite(line, bytes); // no complete line yet (none, or a header a crash cut short): start the log
                return;
            }
            apply(line, bytes.length, valid);
            valid += bytes.length;
            lines++;
            torn = 0;
            if (damage.isEmpty() && gen != NO_HEADER && valid > COMPACT_MIN && valid > 4 * live()) {
                try {
                    rewrite(null, null);
                } catch (IOException refused) { // a full disk (a rewrite needs room for the whole log): the line is written
                    // and must not be reported as failed; the log stays as it is, whole, for a later append to compact
                }
            }
        } catch (NewerStateException e) {
            reset();
            throw e;
        } catch (IOException | RuntimeException e) {
            reset(); // read again next time
            throw new BackendException("failed to write state file \"" + file + "\": " + words(e), e);
        }
    }

    /** Appends a line after the last complete one (cutting a torn one off); the caller holds the writers' lock. */
    private void appendLine(byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (ch.size() != valid) {
                ch.truncate(valid);
            }
            writeFully(ch, bytes, valid);
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
        h.addProperty(StateFormat.MEMBER, StateFormat.CURRENT);
        header.forEach(h::addProperty);
        if (fileHeader != null) { // what the file's header said that this view's does not (an upgrade by gc keeps it all)
            fileHeader.entrySet().forEach(e -> {
                if (!h.has(e.getKey())) {
                    h.add(e.getKey(), e.getValue());
                }
            });
        }
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
        format = StateFormat.CURRENT;
        fileHeader = h;
        valid = body.length;
        lines = 1 + values.size();
        torn = 0;
        damage.clear();
        if (extra != null) {
            apply(extra, extraBytes.length, valid);
            valid += extraBytes.length;
            lines++;
        }
    }

    private static final Set<StandardOpenOption> CREATE = Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);

    /** Creates {@code f} 0600 (and its missing folders 0700). */
    private static FileChannel create(Path f) throws IOException {
        try {
            return FileChannel.open(f, CREATE, Modes.FILE);
        } catch (NoSuchFileException e) {
            Modes.createDirectories(f.getParent());
            return FileChannel.open(f, CREATE, Modes.FILE);
        }
    }

    private static void writeFully(FileChannel ch, byte[] bytes, long at) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            ch.write(b, at + b.position());
        }
    }
}
