package dev.patchbay.orchestrator.network;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.patchbay.state.Json;
import dev.patchbay.core.errors.BackendException;
import dev.patchbay.state.FileLocks;
import dev.patchbay.state.Modes;
import dev.patchbay.state.StateFormat;
import java.io.IOException;
import java.io.StringReader;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Files of the state directory: JSON records written crash-safely and locks that exclude other threads of this
 * process and other processes alike (a JVM lock, then fcntl).
 * <p>
 * A record ({@code networks/NAME.json}: what the operator asked for) must survive a power loss, unlike the logs that
 * describe the kernel (which a reboot empties anyway): it is written to a temp file (0600, in a folder 0700), which
 * is synced, renamed over the record, and the folder synced, so after a crash at any point the record is the old one
 * or the new one, whole. A record that cannot be read is named with what is wrong, in words ({@link Unreadable}).
 */
final class StateFiles {
    private static final Pattern COLUMN = Pattern.compile("column (\\d+)");

    private StateFiles() {
    }

    /** A state file whose content cannot be read: its path and what is wrong, in words (no exception text). */
    static final class Unreadable extends BackendException {
        private static final long serialVersionUID = 1L;
        private final transient Path file;
        private final String problem;

        Unreadable(Path file, String problem) {
            super("state file \"" + file + "\" " + problem);
            this.file = file;
            this.problem = problem;
        }

        Path file() {
            return file;
        }

        /** {@code is empty}, {@code is cut short (...)}, {@code is not valid JSON (...)}. */
        String problem() {
            return problem;
        }
    }

    static <T> Optional<T> read(Path file, Class<T> type) {
        return readObject(file).map(o -> {
            try {
                return Json.compact().fromJson(o, type);
            } catch (RuntimeException e) {
                throw new Unreadable(file, "does not hold a valid record: " + words(e));
            }
        });
    }

    /**
     * The JSON object in {@code file}, empty if there is no such file; {@link Unreadable} says what is wrong, and a
     * {@link StateFormat} newer than this build's throws {@link dev.patchbay.state.NewerStateException}.
     */
    static Optional<JsonObject> readObject(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new BackendException("failed to read state file \"" + file + "\": " + words(e), e);
        }
        JsonObject json = parse(file, bytes);
        try {
            StateFormat.of(file, json);
        } catch (IllegalArgumentException e) {
            throw new Unreadable(file, e.getMessage());
        }
        return Optional.of(json);
    }

    /**
     * Rewrites a record written before formats were recorded with the current format, member for member (write's
     * temp file and rename); the caller holds the record's lock. Returns whether it did: false for a missing record, one
     * that has a format, or one that cannot be read (left as it is, for gc --repair).
     */
    static boolean upgrade(Path file) {
        Optional<JsonObject> json;
        try {
            json = readObject(file);
        } catch (Unreadable damaged) {
            return false;
        }
        if (json.isEmpty() || StateFormat.of(file, json.get()) != StateFormat.NONE) {
            return false;
        }
        write(file, json.get());
        return true;
    }

    private static JsonObject parse(Path file, byte[] bytes) {
        if (bytes.length == 0) {
            throw new Unreadable(file, "is empty (0 bytes)");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new Unreadable(file, "holds bytes that are not UTF-8 text");
        }
        if (text.isBlank()) {
            throw new Unreadable(file, text.chars().allMatch(c -> c == 0) ? "holds only zero bytes" : "is blank");
        }
        JsonElement json;
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.STRICT);
            json = JsonParser.parseReader(reader);
            boolean more;
            try {
                more = reader.peek() != JsonToken.END_DOCUMENT;
            } catch (IOException | RuntimeException trailing) {
                more = true;
            }
            if (more) {
                throw new Unreadable(file, "holds more after its JSON value");
            }
        } catch (Unreadable e) {
            throw e;
        } catch (RuntimeException e) {
            if (e.getCause() instanceof java.io.EOFException
                    || String.valueOf(e.getMessage()).contains("End of input")) {
                throw new Unreadable(file, "is cut short (" + bytes.length + " bytes, ending inside its JSON value)");
            }
            Matcher at = COLUMN.matcher(String.valueOf(e.getMessage()));
            if (at.find()) {
                int column = Integer.parseInt(at.group(1));
                String body = text.stripTrailing();
                String m = String.valueOf(e.getMessage());
                if (body.indexOf('\n') < 0 && (m.contains("Unterminated") || column > body.length())) {
                    // the parser stopped at the very end (inside a string, a name, a number): the file ends too soon
                    throw new Unreadable(file, "is cut short (" + bytes.length + " bytes, ending inside its JSON value)");
                }
                throw new Unreadable(file, "is not valid JSON (at character " + column + ")");
            }
            throw new Unreadable(file, "is not valid JSON");
        }
        if (!json.isJsonObject()) {
            throw new Unreadable(file, "is not a JSON object");
        }
        return json.getAsJsonObject();
    }

    /**
     * Replaces {@code file} with the JSON of {@code value}, its {@link StateFormat} first, crash-safely: readers see the old or the new content, never
     * a mix, and after a power loss the file is one or the other, whole (temp file synced, renamed, folder synced).
     */
    static void write(Path file, Object value) {
        Path tmp = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + "." + Thread.currentThread().getId() + ".tmp");
        try {
            JsonElement tree = Json.compact().toJsonTree(value);
            byte[] json = (Json.compact().toJson(tree.isJsonObject() ? StateFormat.stamp(tree.getAsJsonObject()) : tree) + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            try (FileChannel ch = create(tmp, file.getParent())) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(json);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            Modes.narrow(file.getParent()); // a folder an older release made 0755
            syncDirectory(file.getParent());
        } catch (IOException e) {
            throw new BackendException("failed to write state file \"" + file + "\": " + words(e), e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // leftover temp file: harmless, swept by gc
            }
        }
    }

    private static final java.util.Set<StandardOpenOption> CREATE = java.util.Set.of(StandardOpenOption.CREATE,
            StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);

    private static FileChannel create(Path tmp, Path dir) throws IOException {
        try {
            return FileChannel.open(tmp, CREATE, Modes.FILE);
        } catch (NoSuchFileException e) {
            Modes.createDirectories(dir);
            return FileChannel.open(tmp, CREATE, Modes.FILE);
        }
    }

    /** Makes a rename in {@code dir} durable (fsync of the folder); best effort where a file system refuses it. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // a file system that cannot sync a folder: the rename is as durable as it makes it
        }
    }

    /** An I/O or parse failure in words, without exception class names. */
    static String words(Exception e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied (run as root)";
        }
        if (e instanceof java.nio.file.FileSystemException f) {
            return f.getReason() != null ? f.getReason() : e instanceof NoSuchFileException ? "not found" : "file system error";
        }
        String m = e.getMessage();
        if (m == null) {
            return "I/O error";
        }
        return m.replaceAll("(?:[a-z]+\\.)+[A-Z][A-Za-z]*(?:Exception|Error): ?", "").strip();
    }

    /** Removes temp files that writers killed mid-write left in {@code dir} (their process is gone). */
    static void sweepTemp(Path dir) {
        try (java.nio.file.DirectoryStream<Path> ds = Files.newDirectoryStream(dir, ".*.tmp")) {
            for (Path p : ds) {
                String[] parts = p.getFileName().toString().split("\\.");
                long pid = parts.length >= 4 ? parseOr(parts[parts.length - 3]) : -1;
                if (pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                Files.deleteIfExists(p);
            }
        } catch (NoSuchFileException e) {
            // nothing written there yet
        } catch (IOException e) {
            throw new BackendException("failed to clean \"" + dir + "\": " + words(e), e);
        }
    }

    private static long parseOr(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new BackendException("failed to delete state file \"" + file + "\": " + e.getMessage(), e);
        }
    }

    /** Runs {@code action} holding the lock file exclusively, against threads and processes. */
    static <T> T locked(Path lockFile, Supplier<T> action) {
        return FileLocks.locked(lockFile, action);
    }
}
