package dev.patchbay.plugin.ipam.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.ipam.AllocationRecord;
import dev.patchbay.core.model.IpAddresses;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
                new AllocationRecord("net1", ip("10.0.0.8"), null, null),
                new AllocationRecord("net1", ip("10.0.0.9"), "unix", "eth1")), entries);
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
}
