package dev.patchbay.core.internal.firewall;

import com.google.gson.reflect.TypeToken;
import dev.patchbay.core.command.Json;
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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the state directory records for one host namespace: its identity, the chosen backend and every
 * owner's desired rules. Written crash-safely: temp file, fsync, rename, fsync of the directory.
 */
final class HostRecord {
    String netns;
    String identity;
    String backend;
    Map<String, List<RuleJson>> owners = new TreeMap<>();

    static Path file(Path stateDir, String identity) {
        return stateDir.resolve("firewall").resolve("netns-" + identity.replace(':', '-') + ".json");
    }

    static HostRecord read(Path file) {
        try {
            HostRecord r = Json.compact().fromJson(Files.readString(file, StandardCharsets.UTF_8), new TypeToken<HostRecord>() { }.getType());
            if (r.owners == null) {
                r.owners = new TreeMap<>();
            }
            return r;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            throw new BackendException("failed to read state file \"" + file + "\": " + e.getMessage(), e);
        }
    }

    void write(Path file) {
        Path tmp = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap((Json.compact().toJson(this) + "\n").getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            } catch (IOException ignored) {
                // some file systems cannot sync a directory; the rename is still atomic
            }
        } catch (IOException e) {
            throw new BackendException("failed to write state file \"" + file + "\": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a leftover temp file is overwritten next time
            }
        }
    }
}
