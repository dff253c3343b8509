package dev.patchbay.state;

import dev.patchbay.core.errors.BackendException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Locks of the state directory that exclude other threads of this process and other processes alike:
 * a JVM lock first (fcntl locks are per process), then an fcntl lock on the file. A thread that already holds a
 * lock and asks for it again just runs (the outer call holds the file lock).
 * <p>
 * Nobody but root can take them: a lock file is created 0600 in folders created 0700, and one an older Patchbay
 * left 0644 is narrowed to 0600 the first time this process takes it (a user who can open a lock file can hold a
 * read lock on it and stall every writer). Read-only work uses {@link #readLocked}, which creates nothing.
 */
public final class FileLocks {
    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();
    private static final Set<Path> NARROWED = ConcurrentHashMap.newKeySet();

    private FileLocks() {
    }

    /** Runs {@code action} holding {@code lockFile} exclusively (created 0600, with its folders 0700, if missing). */
    public static <T> T locked(Path lockFile, Supplier<T> action) {
        return hold(lockFile, false, action);
    }

    /**
     * For read-only work: runs {@code action} holding a shared lock on {@code lockFile} (writers wait for it, other
     * readers do not), or no file lock at all if the file does not exist: then no writer ever locked it, and nothing
     * is created. Other threads of this process are excluded either way.
     */
    public static <T> T readLocked(Path lockFile, Supplier<T> action) {
        return hold(lockFile, true, action);
    }

    private static <T> T hold(Path lockFile, boolean shared, Supplier<T> action) {
        Path key = lockFile.toAbsolutePath().normalize();
        ReentrantLock jvm = JVM_LOCKS.computeIfAbsent(key, k -> new ReentrantLock());
        jvm.lock();
        try {
            if (jvm.getHoldCount() > 1) {
                return action.get(); // nested: the outer call holds the file lock (a second one would overlap)
            }
            FileChannel ch = shared ? openExisting(lockFile) : open(lockFile, key);
            if (ch == null) {
                return action.get();
            }
            try (ch; FileLock lock = ch.lock(0, Long.MAX_VALUE, shared)) {
                return action.get();
            }
        } catch (java.nio.file.AccessDeniedException e) { // not root: exit 3, as for any missing privilege
            throw new dev.patchbay.core.errors.NotPermittedException("failed to lock \"" + lockFile + "\": " + StateLog.words(e), e);
        } catch (IOException e) {
            throw new BackendException("failed to lock \"" + lockFile + "\": " + StateLog.words(e), e);
        } finally {
            jvm.unlock();
        }
    }

    private static FileChannel openExisting(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** A folder everyone may write (sticky, like /tmp): never narrowed, even if named as the state directory. */
    private static boolean sharedFolder(Path dir) {
        try {
            return ((Integer) Files.getAttribute(dir, "unix:mode") & 01002) != 0;
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    /** Opens {@code file}, creating it, and its folder only when that is missing (no exception to build on every call). */
    private static FileChannel open(Path file, Path key) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), Modes.FILE);
        } catch (NoSuchFileException e) {
            Modes.createDirectories(file.getParent());
            ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), Modes.FILE);
        }
        if (NARROWED.add(key)) {
            Modes.narrow(file);
            Modes.narrow(file.getParent());
            Path stateDir = file.getParent().getParent(); // locks/ and firewall/ are in the state directory: root's alone too
            if (stateDir != null && !sharedFolder(stateDir)) {
                Modes.narrow(stateDir);
            }
        }
        return ch;
    }
}
