package dev.patchbay.plugin.ipam.store;

import dev.patchbay.core.errors.BackendException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a file that excludes CNI host-local too. host-local takes {@code flock(2)} on
 * {@code <dir>/lock}; Java's {@code FileChannel.lock} is an fcntl record lock, and on Linux the two kinds do not
 * see each other. So this calls flock(2) through jnr-ffi (loaded on first use). flock works per open file
 * description, so it also excludes other threads of this JVM that opened the file themselves. If libc cannot be
 * loaded it falls back to {@code FileChannel.lock} (Patchbay processes still exclude each other; host-local does
 * not) and says so once on the log.
 */
final class Flock {
    private static final System.Logger LOG = System.getLogger(Flock.class.getName());
    private static volatile LibC libc;
    private static volatile boolean unavailable;

    private Flock() {
    }

    /** Blocks until the lock on {@code file} (created if missing) is held. */
    static Store.Lock acquire(Path file) {
        LibC c = libc();
        return c != null ? flock(c, file) : fcntl(file);
    }

    /** True when flock(2) is used (host-local compatible); false in the fcntl fallback. */
    static boolean usesFlock() {
        return libc() != null;
    }

    private static LibC libc() {
        LibC c = libc;
        if (c != null || unavailable) {
            return c;
        }
        synchronized (Flock.class) {
            if (libc == null && !unavailable) {
                try {
                    libc = jnr.ffi.LibraryLoader.create(LibC.class).failImmediately().load("c");
                } catch (Throwable e) {
                    unavailable = true;
                    LOG.log(Level.WARNING, "flock(2) unavailable, using fcntl locks: Patchbay processes exclude "
                            + "each other but not CNI host-local on the same data directory", e);
                }
            }
            return libc;
        }
    }

    private static Store.Lock flock(LibC c, Path file) {
        int fd = c.open(file.toString(), LibC.O_RDONLY | LibC.O_CREAT | LibC.O_CLOEXEC, 0644);
        if (fd < 0) {
            throw new BackendException("failed to open lock file \"" + file + "\": errno " + errno(c));
        }
        int rc;
        do {
            rc = c.flock(fd, LibC.LOCK_EX);
        } while (rc != 0 && errno(c) == LibC.EINTR);
        if (rc != 0) {
            int err = errno(c);
            c.close(fd);
            throw new BackendException("failed to lock \"" + file + "\": errno " + err);
        }
        return () -> {
            c.flock(fd, LibC.LOCK_UN);
            c.close(fd);
        };
    }

    private static int errno(LibC c) {
        return jnr.ffi.Runtime.getRuntime(c).getLastError();
    }

    private static Store.Lock fcntl(Path file) {
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                java.nio.channels.FileLock lock = ch.lock();
                return () -> {
                    try (ch) {
                        lock.release();
                    } catch (IOException e) {
                        throw new BackendException("failed to unlock \"" + file + "\": " + e.getMessage(), e);
                    }
                };
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } catch (IOException e) {
            throw new BackendException("failed to lock \"" + file + "\": " + e.getMessage(), e);
        }
    }
}
