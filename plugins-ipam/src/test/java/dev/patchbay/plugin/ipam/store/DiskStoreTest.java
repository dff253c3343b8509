package dev.patchbay.plugin.ipam.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.ipam.AllocationRecord;
import dev.patchbay.core.model.IpAddresses;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bytes on disk are host-local's (checked against the real binary in HostLocalInteropIT). */
class DiskStoreTest {
    @TempDir
    Path data;

    static InetAddress ip(String s) {
        return IpAddresses.parse("ip", s);
    }

    @Test
    void writesHostLocalLayout() throws Exception {
        DiskStore store = new DiskStore(data, "net1");
        try (Store.Lock lock = store.lock()) {
            assertTrue(store.reserve(ip("10.0.0.2"), "ctr1", "eth0"));
            assertFalse(store.reserve(ip("10.0.0.2"), "ctr2", "eth0"));
            assertTrue(store.reserve(ip("fd00:1:0:0::2"), "ctr1", "eth0"));
            store.setLastReserved(0, ip("10.0.0.2"));
            store.setLastReserved(1, ip("fd00:1::2"));
        }
        Path dir = data.resolve("net1");
        assertEquals("ctr1\r\neth0", Files.readString(dir.resolve("10.0.0.2")));
        assertEquals("ctr1\r\neth0", Files.readString(dir.resolve("fd00:1::2")));
        assertEquals("10.0.0.2", Files.readString(dir.resolve("last_reserved_ip.0")));
        assertEquals("fd00:1::2", Files.readString(dir.resolve("last_reserved_ip.1")));
        assertTrue(Files.exists(dir.resolve("lock")));
        assertEquals(Optional.of(ip("fd00:1::2")), store.lastReserved(1));
        assertEquals(Optional.empty(), store.lastReserved(2));
        List<AllocationRecord> entries = store.entries();
        entries.sort(Comparator.comparing(r -> r.address().getAddress().length));
        assertEquals(List.of(new AllocationRecord("net1", ip("10.0.0.2"), "ctr1", "eth0"),
                new AllocationRecord("net1", ip("fd00:1::2"), "ctr1", "eth0")), entries);
        assertTrue(store.remove(ip("10.0.0.2")));
        assertFalse(store.remove(ip("10.0.0.2")));
    }

    @Test
    void lastReservedIsRewrittenInPlaceToExactlyTheNewAddress() throws Exception {
        DiskStore store = new DiskStore(data, "net1");
        Path last = data.resolve("net1").resolve("last_reserved_ip.0");
        try (Store.Lock lock = store.lock()) {
            store.setLastReserved(0, ip("10.0.0.100"));
            assertEquals("10.0.0.100", Files.readString(last));
            store.setLastReserved(0, ip("10.0.0.9")); // shorter: the old tail must go
            assertEquals("10.0.0.9", Files.readString(last));
            store.setLastReserved(0, ip("10.0.0.10"));
            assertEquals("10.0.0.10", Files.readString(last));
        }
        assertEquals(Optional.of(ip("10.0.0.10")), store.lastReserved(0));
    }

    @Test
    void readsLegacyAndDamagedRecordsAndIgnoresOtherFiles() throws Exception {
        Path dir = Files.createDirectories(data.resolve("net1"));
        Files.writeString(dir.resolve("10.0.0.7"), "legacy-owner", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("10.0.0.8"), "", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("10.0.0.9"), "unix\neth1\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("last_reserved_ip.0"), "10.0.0.9", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("notes.txt"), "x", StandardCharsets.UTF_8);
        Files.createDirectories(dir.resolve("10.0.0.10"));
        List<AllocationRecord> entries = new DiskStore(data, "net1").entries();
        entries.sort(Comparator.comparing(r -> IpAddresses.toBigInteger(r.address())));
        assertEquals(List.of(new AllocationRecord("net1", ip("10.0.0.7"), "legacy-owner", null),
                new AllocationRecord("net1", ip("10.0.0.8"), null, null, "is empty"),
                new AllocationRecord("net1", ip("10.0.0.9"), "unix", "eth1")), entries);
    }

    @Test
    void aRecordThatIsNotWhatHostLocalWritesIsUnreadableAndSaysWhy() throws Exception {
        Path dir = Files.createDirectories(data.resolve("net1"));
        Files.write(dir.resolve("10.0.0.2"), new byte[] {'c', 't', 'r', (byte) 0xff, (byte) 0xfe, '\r', '\n', 'e', 't', 'h', '0'});
        Files.writeString(dir.resolve("10.0.0.3"), "ctr\u0000\u0000\r\neth0");
        Files.writeString(dir.resolve("10.0.0.4"), "ctr\r\neth0\r\nmore");
        Files.writeString(dir.resolve("10.0.0.5"), "ctr\r\nnot an interface");
        Files.writeString(dir.resolve("10.0.0.6"), "x".repeat(DiskStore.MAX_RECORD + 1));
        Files.writeString(dir.resolve("10.0.0.7"), "\u0000\u0000\u0000\u0000"); // a power loss: zeroes
        Files.writeString(dir.resolve("10.0.0.8"), " ctr8 \r\n eth0 \r\n"); // whitespace around is fine
        List<AllocationRecord> entries = new DiskStore(data, "net1").entries();
        entries.sort(Comparator.comparing(r -> IpAddresses.toBigInteger(r.address())));
        assertEquals(List.of("is not UTF-8 text", "holds control characters in its owner id",
                "has 3 lines, a record has one or two", "names no valid interface on its second line",
                "is longer than a record can be (" + DiskStore.MAX_RECORD + " bytes)", "holds only zero bytes (a write a crash lost)",
                "ok ctr8/eth0"),
                entries.stream().map(r -> r.readable() ? "ok " + r.ownerId() + "/" + r.ifName() : r.problem()).toList());
        assertTrue(entries.stream().filter(r -> !r.readable()).allMatch(r -> r.ownerId() == null && r.ifName() == null));
    }

    static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void whatItCreatesIsRootsOnly() throws Exception {
        DiskStore store = new DiskStore(data.resolve("ipam"), "net1");
        try (Store.Lock lock = store.lock()) {
            assertTrue(store.reserve(ip("10.0.0.2"), "ctr1", "eth0"));
            store.setLastReserved(0, ip("10.0.0.2"));
        }
        Path dir = data.resolve("ipam").resolve("net1");
        assertEquals("rwx------", mode(data.resolve("ipam")), "the data directory it made");
        assertEquals("rwx------", mode(dir));
        assertEquals("rw-------", mode(dir.resolve("10.0.0.2")));
        assertEquals("rw-------", mode(dir.resolve("last_reserved_ip.0")));
        assertEquals("rw-------", mode(dir.resolve("lock")));
    }

    @Test
    void aLockFileOthersCouldOpenIsNarrowedWhenTaken() throws Exception {
        Path dir = Files.createDirectories(data.resolve("net1"));
        Path lock = Files.createFile(dir.resolve("lock"));
        Files.setPosixFilePermissions(lock, PosixFilePermissions.fromString("rw-r--r--"));
        try (Store.Lock l = new DiskStore(data, "net1").readLock()) {
            assertEquals("rw-r--r--", mode(lock), "a reader changes nothing");
        }
        try (Store.Lock l = new DiskStore(data, "net1").lock()) {
            assertEquals("rw-------", mode(lock));
        }
    }

    @Test
    void readingCreatesNoLockFile() throws Exception {
        Path dir = Files.createDirectories(data.resolve("net1")); // as host-local's, its lock file deleted
        Files.writeString(dir.resolve("10.0.0.2"), "ctr1\r\neth0");
        DiskStore store = new DiskStore(data, "net1");
        try (Store.Lock l = store.readLock()) {
            assertEquals(1, store.entries().size());
        }
        assertFalse(Files.exists(dir.resolve("lock")));
        try (Store.Lock l = store.lock()) {
            assertTrue(Files.exists(dir.resolve("lock")));
        }
        try (Store.Lock l = store.readLock()) {
            assertEquals(1, store.entries().size(), "under the shared lock now");
        }
    }

    @Test
    void fileNamesThatAreNotAddressesAreSkipped() {
        assertNull(DiskStore.addressOf("lock"));
        assertNull(DiskStore.addressOf("last_reserved_ip.0"));
        assertNull(DiskStore.addressOf("deadbeef"));
        assertEquals(ip("fd00::1"), DiskStore.addressOf("fd00::1"));
    }

    @Test
    void missingNetworkIsEmptyAndNotCreated() {
        DiskStore store = new DiskStore(data, "absent");
        assertFalse(store.exists());
        assertEquals(List.of(), store.entries());
        assertFalse(Files.exists(data.resolve("absent")));
    }

    /** A write that fails (here: the path is a folder, as a full disk would refuse it) names the record's own file. */
    @Test
    void failuresNameTheFile() throws Exception {
        DiskStore store = new DiskStore(data, "net1");
        Path dir = data.resolve("net1");
        try (Store.Lock lock = store.lock()) {
            Path tmp = dir.resolve(DiskStore.TEMP_PREFIX + ProcessHandle.current().pid() + "-" + Thread.currentThread().getId() + "-10.0.0.7");
            Files.createDirectories(tmp.resolve("x"));
            BackendException reserve = assertThrows(BackendException.class, () -> store.reserve(ip("10.0.0.7"), "ctr1", "eth0"));
            assertEquals("failed to reserve address 10.0.0.7 as \"" + dir.resolve("10.0.0.7") + "\": Is a directory", reserve.getMessage());
            assertFalse(Files.exists(dir.resolve("10.0.0.7")));

            Files.createDirectories(dir.resolve("10.0.0.8").resolve("x"));
            BackendException release = assertThrows(BackendException.class, () -> store.remove(ip("10.0.0.8")));
            assertEquals("failed to release address 10.0.0.8: cannot delete \"" + dir.resolve("10.0.0.8") + "\": not an empty folder",
                    release.getMessage());

            Files.createDirectories(dir.resolve("last_reserved_ip.0").resolve("x"));
            BackendException last = assertThrows(BackendException.class, () -> store.setLastReserved(0, ip("10.0.0.9")));
            assertTrue(last.getMessage().startsWith("failed to write \"" + dir.resolve("last_reserved_ip.0") + "\": "), last.getMessage());
        }
    }
}
