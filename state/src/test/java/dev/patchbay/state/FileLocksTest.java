package dev.patchbay.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lock files only root can take; read-only work creates none. */
class FileLocksTest {
    @TempDir
    Path state;

    static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void aLockFileIsCreated0600InAFolder0700() throws Exception {
        Path lock = state.resolve("s").resolve("locks").resolve("web.lock");
        assertEquals("x", FileLocks.locked(lock, () -> "x"));
        assertEquals("rw-------", mode(lock));
        assertEquals("rwx------", mode(lock.getParent()));
        assertEquals("rwx------", mode(state.resolve("s")), "the state directory it made too");
    }

    @Test
    void aLockFileOthersCouldOpenIsNarrowed() throws Exception {
        Path dir = Files.createDirectories(state.resolve("locks"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path lock = Files.createFile(dir.resolve("old.lock"));
        Files.setPosixFilePermissions(lock, PosixFilePermissions.fromString("rw-r--r--"));
        FileLocks.readLocked(lock, () -> null);
        assertEquals("rw-r--r--", mode(lock), "a reader changes nothing");
        FileLocks.locked(lock, () -> null);
        assertEquals("rw-------", mode(lock));
        assertEquals("rwx------", mode(dir));
    }

    @Test
    void readOnlyWorkCreatesNoLockFileAndWaitsForAWriter() throws Exception {
        Path lock = state.resolve("locks").resolve("web.lock");
        assertEquals("read", FileLocks.readLocked(lock, () -> "read"));
        assertFalse(Files.exists(lock.getParent()), "nothing created");

        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> FileLocks.locked(lock, () -> {
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }));
        assertTrue(held.await(10, TimeUnit.SECONDS));
        CompletableFuture<String> reader = CompletableFuture.supplyAsync(() -> FileLocks.readLocked(lock, () -> "after"));
        Thread.sleep(200);
        assertFalse(reader.isDone(), "the reader waits for the writer");
        release.countDown();
        writer.get(10, TimeUnit.SECONDS);
        assertEquals("after", reader.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aThreadHoldingALockMayAskForItAgain() {
        Path lock = state.resolve("n.lock");
        assertEquals("inner", FileLocks.locked(lock, () -> FileLocks.readLocked(lock, () -> FileLocks.locked(lock, () -> "inner"))));
    }
}
