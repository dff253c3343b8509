package dev.patchbay.plugin.ipam.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.sys.LibC;
import dev.patchbay.sys.Sys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lock host-local takes: flock(2) (not fcntl), seen by another open of the file as host-local would open it. */
class FlockTest {
    private static final int LOCK_NB = 4;

    @Test
    void anExclusiveLockIsAFlockOthersSee(@TempDir Path dir) throws Exception {
        assertTrue(Flock.usesFlock(), "flock(2) through libpatchbay-sys, not the fcntl fallback");
        Path file = dir.resolve("lock");
        LibC c = Sys.libc();
        Store.Lock held = Flock.acquire(file);
        int fd = -1;
        try {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            fd = c.open(file.toString(), Sys.O_RDONLY | Sys.O_CLOEXEC, 0);
            assertEquals(-1, c.flock(fd, Sys.LOCK_SH | LOCK_NB));
            assertEquals(11, Sys.errno()); // EAGAIN: held
        } finally {
            held.close();
        }
        try {
            assertEquals(0, c.flock(fd, Sys.LOCK_EX | LOCK_NB)); // released
        } finally {
            c.close(fd);
        }
    }

    @Test
    void aSharedLockOnNoFileIsNone(@TempDir Path dir) {
        assertNull(Flock.acquireShared(dir.resolve("missing")));
    }
}
