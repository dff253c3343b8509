package dev.patchbay.orchestrator.state;

import dev.patchbay.core.errors.BackendException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Locks of the state directory that exclude other threads of this process and other processes alike:
 * a JVM lock first (fcntl locks are per process), then an fcntl lock on the file.
 */
public final class FileLocks {
    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private FileLocks() {
    }

    /** Runs {@code action} holding {@code lockFile} exclusively (created with its folder if missing). */
    public static <T> T locked(Path lockFile, Supplier<T> action) {
        ReentrantLock jvm = JVM_LOCKS.computeIfAbsent(lockFile.toAbsolutePath().normalize(), k -> new ReentrantLock());
        jvm.lock();
        try {
            try (FileChannel ch = open(lockFile); FileLock lock = ch.lock()) {
                return action.get();
            }
        } catch (IOException e) {
            throw new BackendException("failed to lock \"" + lockFile + "\": " + e.getMessage(), e);
        } finally {
            jvm.unlock();
        }
    }

    /** Opens {@code file}, creating it, and its folder only when that is missing (no exception to build on every call). */
    private static FileChannel open(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            Files.createDirectories(file.getParent());
            return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        }
    }
}
