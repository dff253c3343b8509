package dev.patchbay.plugin.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.ipam.AllocationRecord;
import dev.patchbay.core.ipam.AllocationRequest;
import dev.patchbay.core.ipam.Attachment;
import dev.patchbay.core.ipam.IpRange;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.ipam.IpamConfig;
import dev.patchbay.core.ipam.IpamExhaustedException;
import dev.patchbay.core.ipam.RangeSet;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Never an address twice, on a real data directory: damaged and deleted records, the kernel's evidence. */
class HostLocalIpamOnDiskTest {
    static final IfName ETH0 = IfName.of("eth0");
    static final IpamConfig SEED = IpamConfig.of(RangeSet.of(IpRange.parse("10.0.0.0/24", "10.0.0.2", "10.0.0.5", "10.0.0.1")));
    static final Predicate<InetAddress> NONE_LIVE = a -> false;

    @TempDir
    Path data;
    final HostLocalIpam ipam = new HostLocalIpam();

    static InetAddress ip(String s) {
        return IpAddresses.parse("ip", s);
    }

    String allocate(String owner) {
        return IpAddresses.format(ipam.allocate(AllocationRequest.of(data, "net", owner, ETH0, SEED)).addresses().get(0)
                .address().address());
    }

    Path record(String address) {
        return data.resolve("net").resolve(address);
    }

    @Test
    void aGarbledReservationIsKeptByGcAndReportedNeverFreedNorHandedOut() throws Exception {
        assertEquals("10.0.0.2", allocate("c1")); // this process now has a snapshot saying 10.0.0.2 is c1/eth0's
        assertEquals("10.0.0.3", allocate("c2"));
        assertEquals("10.0.0.4", allocate("c3"));
        Files.write(record("10.0.0.2"), new byte[] {'c', (byte) 0xc3, '1', '\r', '\n', 0, 0}); // garbled in place
        Files.writeString(record("10.0.0.3"), "garbage\n"); // reads as a legacy record of "garbage"

        Ipam.GcResult gc = ipam.gc(data, "net", Set.of(new Attachment("c3", ETH0)), ip("10.0.0.3")::equals);
        assertEquals(List.of(), gc.freed(), "nothing it cannot read or that an interface holds is freed");
        assertEquals(List.of("10.0.0.2 is not UTF-8 text", "10.0.0.3 live"), gc.kept().stream()
                .map(r -> IpAddresses.format(r.address()) + " " + (r.readable() ? "live" : r.problem())).toList());
        assertTrue(Files.exists(record("10.0.0.2")) && Files.exists(record("10.0.0.3")));

        List<AllocationRecord> listed = ipam.list(data, "net");
        assertEquals("is not UTF-8 text", listed.get(0).problem(), "ipam ls reports it");
        assertEquals("10.0.0.5", allocate("c4"), "neither the garbled nor the live address is handed out");
        assertThrows(IpamExhaustedException.class, () -> allocate("c5"));

        Ipam.GcResult none = ipam.gc(data, "net", Set.of(), NONE_LIVE);
        assertEquals(List.of(ip("10.0.0.3"), ip("10.0.0.4"), ip("10.0.0.5")), none.freed(), "readable and not live: freed");
        assertEquals(List.of(ip("10.0.0.2")), none.kept().stream().map(AllocationRecord::address).toList());
    }

    @Test
    void aDeletedReservationWhoseAddressAnInterfaceHoldsIsNotHandedOut() throws Exception {
        for (String c : List.of("c1", "c2", "c3", "c4")) {
            allocate(c);
        }
        Files.delete(record("10.0.0.2")); // c1 still holds 10.0.0.2 on its eth0
        Predicate<InetAddress> kernel = ip("10.0.0.2")::equals;
        assertThrows(IpamExhaustedException.class, () -> ipam.allocate(
                AllocationRequest.of(data, "net", "c5", ETH0, SEED).withInUse(kernel)));
        AlreadyExistsException requested = assertThrows(AlreadyExistsException.class, () -> ipam.allocate(
                AllocationRequest.of(data, "net", "c5", ETH0, SEED).withRequested(ip("10.0.0.2")).withInUse(kernel)));
        assertTrue(requested.getMessage().contains("an interface already holds it"), requested.getMessage());
        assertFalse(Files.exists(record("10.0.0.2")), "skipped: no reservation made for it");
        assertEquals(List.of(), ipam.gc(data, "net", Set.of(), ip("10.0.0.3")::equals).freed().stream()
                .filter(ip("10.0.0.3")::equals).toList(), "gc keeps what the evidence says is live");
    }

    @Test
    void readOnlyOperationsCreateNothing() throws Exception {
        assertEquals(List.of(), ipam.list(data, "absent"));
        assertEquals(List.of(), ipam.gc(data, "absent", Set.of(), NONE_LIVE, true).freed());
        assertEquals(List.of(), ipam.gc(data, "absent", Set.of(), NONE_LIVE).freed());
        assertFalse(Files.exists(data.resolve("absent")));

        Path dir = Files.createDirectories(data.resolve("hl")); // written by someone else, its lock file deleted
        Files.writeString(dir.resolve("10.0.0.2"), "ctr1\r\neth0");
        assertEquals(1, ipam.list(data, "hl").size());
        assertEquals(List.of(ip("10.0.0.2")), ipam.gc(data, "hl", Set.of(), NONE_LIVE, true).freed(), "dry run");
        assertEquals(List.of("hl"), ipam.networks(data));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("10.0.0.2")), files.toList(), "no lock file, nothing freed");
        }
    }
}
