package dev.patchbay.plugin.ipam.store;

import dev.patchbay.sys.Errno;
import dev.patchbay.core.errors.BackendException;
import dev.patchbay.sys.LibC;
import dev.patchbay.sys.Sys;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * An exclusive lock on a file that excludes CNI host-local too (and a shared one for readers, which creates nothing). host-local takes {@code flock(2)} on
 * {@code <dir>/lock}; Java's {@code FileChannel.lock} is an fcntl record lock, and on Linux the two kinds do not
 * see each other. So this calls flock(2) through the netlink backend's libpatchbay-sys (an optional import: this
 * bundle resolves without it). flock works per open file description, so it also excludes other threads of this JVM
 * that opened the file themselves. If that library is missing or cannot be loaded it falls back to
 * {@code FileChannel.lock} (Patchbay processes still exclude each other; host-local does
 * not) and says so once on the log. A lock file is created 0600, and one others could open (0644, from host-local
 * or an older Patchbay) is narrowed to 0600 when taken: a user who can open it could hold it and stall root.
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
        Store.Lock lock = c != null ? flock(c, file, false) : fcntl(file, false);
        narrow(file);
        return lock;
    }

    /** Blocks until a shared lock on {@code file} is held (writers wait, readers do not); null if there is no file. */
    static Store.Lock acquireShared(Path file) {
        LibC c = libc();
        return c != null ? flock(c, file, true) : fcntl(file, true);
    }

    private static final Set<PosixFilePermission> OWNER = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    /** One stat; a chmod only for a file others could open. A file of another owner stays as it is. */
    private static void narrow(Path file) {
        try {
            if (!OWNER.containsAll(Files.getPosixFilePermissions(file))) {
                Files.setPosixFilePermissions(file, EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
            }
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(Level.DEBUG, "cannot narrow the mode of " + file, e);
        }
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
                    Sys.load(); // now, so that a failure means the fallback, once
                    libc = Sys.libc();
                } catch (Throwable e) {
                    unavailable = true;
                    LOG.log(Level.WARNING, "flock(2) unavailable, using fcntl locks: Patchbay processes exclude "
                            + "each other but not CNI host-local on the same data directory", e);
                }
            }
            return libc;
        }
    }

    private static Store.Lock flock(LibC c, Path file, boolean shared) {
        int fd = c.open(file.toString(), Sys.O_RDONLY | Sys.O_CLOEXEC | (shared ? 0 : Sys.O_CREAT), 0600);
        if (fd < 0) {
            int err = Sys.errno();
            if (shared && err == Errno.ENOENT) {
                return null;
            }
            throw new BackendException("failed to open lock file \"" + file + "\": " + words(err));
        }
        int rc;
        do {
            rc = c.flock(fd, shared ? Sys.LOCK_SH : Sys.LOCK_EX);
        } while (rc != 0 && Sys.errno() == Errno.EINTR);
        if (rc != 0) {
            int err = Sys.errno();
            c.close(fd);
            throw new BackendException("failed to lock \"" + file + "\": " + words(err));
        }
        return () -> {
            c.flock(fd, Sys.LOCK_UN);
            c.close(fd);
        };
    }

    private static String words(int errno) {
        return errno == Errno.EACCES || errno == Errno.EPERM ? "permission denied (run as root)" : "system error " + errno;
    }

    private static Store.Lock fcntl(Path file, boolean shared) {
        try {
            FileChannel ch;
            try {
                ch = shared ? FileChannel.open(file, StandardOpenOption.READ)
                        : FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), DiskStore.FILE_MODE);
            } catch (NoSuchFileException e) {
                if (shared) {
                    return null;
                }
                throw e;
            }
            try {
                java.nio.channels.FileLock lock = ch.lock(0, Long.MAX_VALUE, shared);
                return () -> {
                    try (ch) {
                        lock.release();
                    } catch (IOException e) {
                        throw new BackendException("failed to unlock \"" + file + "\": " + DiskStore.words(e), e);
                    }
                };
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } catch (IOException e) {
            throw new BackendException("failed to lock \"" + file + "\": " + DiskStore.words(e), e);
        }
    }
}
