package dev.patchbay.state;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.core.errors.BackendException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The format version of a state file: a top-level {@code "format": N} member of its JSON object (a network record) or of
 * its first line (a {@link StateLog}'s header). One rule for every file the state directory holds:
 * <ul>
 * <li>{@link #CURRENT} is the newest layout this build reads and the one it writes;</li>
 * <li>a file without the member was written before formats were recorded, in format 1's layout: it is read as format 1
 * and carries the member from its next write (a log is then rewritten whole, temp file and rename; {@code gc} does it
 * for every file under the file's lock);</li>
 * <li>a file of a newer format is refused ({@link NewerStateException}): never read in part, never repaired, set aside or
 * rewritten, since an older Patchbay cannot tell a layout it does not know from damage;</li>
 * <li>a member that is no whole number from 1 is damage, as any other unreadable content.</li>
 * </ul>
 */
public final class StateFormat {
    /** The newest format this build reads, and the one it writes. */
    public static final int CURRENT = 1;
    /** The member that holds it. */
    public static final String MEMBER = "format";
    /** What {@link #of} says of a file written before formats were recorded (read as format 1). */
    public static final int NONE = 0;

    private StateFormat() {
    }

    /**
     * The format {@code json} (a record, or a log's first line) declares: {@link #NONE} without the member.
     *
     * @throws NewerStateException if it is newer than {@link #CURRENT}
     * @throws IllegalArgumentException if the member is no whole number from 1 (the message says so in words: damage)
     */
    public static int of(Path file, JsonObject json) {
        JsonElement f = json.get(MEMBER);
        if (f == null) {
            return NONE;
        }
        BigDecimal n;
        try {
            n = f.isJsonPrimitive() && f.getAsJsonPrimitive().isNumber() ? f.getAsBigDecimal() : null;
        } catch (NumberFormatException e) {
            n = null;
        }
        if (n == null || n.signum() <= 0 || n.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("has \"" + MEMBER + "\" " + f + ", not a whole number from 1");
        }
        if (n.compareTo(BigDecimal.valueOf(CURRENT)) > 0) {
            throw new NewerStateException(file, n.toBigInteger().toString());
        }
        return n.intValueExact();
    }

    /** {@code json} with {@code "format": CURRENT} as its first member (replacing one it had). */
    public static JsonObject stamp(JsonObject json) {
        JsonObject out = new JsonObject();
        out.addProperty(MEMBER, CURRENT);
        json.entrySet().forEach(e -> {
            if (!e.getKey().equals(MEMBER)) {
                out.add(e.getKey(), e.getValue());
            }
        });
        return out;
    }

    /**
     * Refuses the files of {@code dir} matching {@code glob} if one is of a newer format ({@link NewerStateException}
     * for the first found): a caller about to change many files (gc) checks them all first, so that it changes none
     * beside a newer Patchbay's. Reads each file's first line (a log's header; a record is one line); what cannot be
     * read is left to the caller's own reading, which names the damage.
     */
    public static void refuseNewer(Path dir, String glob) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, glob)) {
            for (Path f : files) {
                JsonObject first = firstLine(f);
                if (first != null) {
                    try {
                        of(f, first);
                    } catch (IllegalArgumentException damaged) {
                        // damage: named by whoever reads the file
                    }
                }
            }
        } catch (NoSuchFileException e) {
            // nothing written there yet
        } catch (IOException e) {
            throw new BackendException("failed to read the state folder \"" + dir + "\": " + StateLog.words(e), e);
        }
    }

    private static JsonObject firstLine(Path f) {
        byte[] head;
        try (InputStream in = Files.newInputStream(f)) {
            head = in.readNBytes(64 * 1024);
        } catch (IOException e) {
            return null;
        }
        int end = 0;
        while (end < head.length && head[end] != '\n') {
            end++;
        }
        JsonObject line = object(new String(head, 0, end, StandardCharsets.UTF_8));
        return line != null ? line : object(new String(head, StandardCharsets.UTF_8)); // a record over several lines
    }

    private static JsonObject object(String text) {
        try {
            JsonElement json = JsonParser.parseString(text);
            return json.isJsonObject() ? json.getAsJsonObject() : null;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
