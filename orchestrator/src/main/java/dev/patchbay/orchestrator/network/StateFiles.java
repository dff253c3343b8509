package dev.patchbay.orchestrator.network;

import dev.patchbay.core.command.Json;
import dev.patchbay.core.errors.BackendException;
import dev.patchbay.orchestrator.state.FileLocks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Files of the state directory: JSON records written atomically (temp file, rename) and locks that
 * exclude other threads of this process and other processes alike (a JVM lock, then fcntl).
 */
final class StateFiles {

    private StateFiles() {
    }

    static <T> Optional<T> read(Path file, Class<T> type) {
        try {
            return Optional.ofNullable(Json.compact().fromJson(Files.readString(file, StandardCharsets.UTF_8), type));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            throw new BackendException("failed to read state file \"" + file + "\": " + e.getMessage(), e);
        }
    }

    /** Replaces {@code file} with the JSON of {@code value}: readers see the old or the new content, never a mix. */
    static void write(Path file, Object value) {
        Path tmp = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + "." + Thread.currentThread().getId() + ".tmp");
        try {
            String json = Json.compact().toJson(value) + "\n";
            try {
                Files.writeString(tmp, json, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                Files.createDirectories(file.getParent());
                Files.writeString(tmp, json, StandardCharsets.UTF_8);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new BackendException("failed to write state file \"" + file + "\": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // leftover temp file: harmless, overwritten next time
            }
        }
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
            throw new BackendException("failed to clean \"" + dir + "\": " + e.getMessage(), e);
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
