package dev.patchbay.plugin.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.ipam.Allocation;
import dev.patchbay.core.ipam.AllocationRecord;
import dev.patchbay.core.ipam.AllocationRequest;
import dev.patchbay.core.ipam.Attachment;
import dev.patchbay.core.ipam.Dns;
import dev.patchbay.core.ipam.IpRange;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.ipam.IpamConfig;
import dev.patchbay.core.ipam.IpamExhaustedException;
import dev.patchbay.core.ipam.RangeSet;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Route;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Allocator rules on an in-memory store. */
class HostLocalIpamTest {
    static final Path DIR = Path.of("/nonexistent-test-dir");
    static final IfName ETH0 = IfName.of("eth0");
    final InMemoryStore store = new InMemoryStore("net");
    final HostLocalIpam ipam = new HostLocalIpam();

    HostLocalIpamTest() {
        ipam.stores = (dir, network) -> store;
    }

    static InetAddress ip(String s) {
        return IpAddresses.parse("ip", s);
    }

    static IpamConfig seed004() {
        return IpamConfig.of(RangeSet.of(IpRange.parse("10.0.0.0/24", "10.0.0.2", "10.0.0.5", "10.0.0.1")));
    }

    Allocation alloc(IpamConfig config, String owner, InetAddress... requested) {
        return ipam.allocate(AllocationRequest.of(DIR, "net", owner, ETH0, config).withRequested(requested));
    }

    static String addr(Allocation a, int i) {
        return a.addresses().get(i).address().toString();
    }

    @Test
    void seed004AllocatesTwoToFiveThenReportsExhaustion() {
        for (int i = 2; i <= 5; i++) {
            Allocation a = alloc(seed004(), "c" + i);
            assertEquals("10.0.0." + i + "/24", addr(a, 0));
            assertEquals(ip("10.0.0.1"), a.addresses().get(0).gateway());
        }
        IpamExhaustedException e = assertThrows(IpamExhaustedException.class, () -> alloc(seed004(), "c6"));
        assertTrue(e.getMessage().contains("range set 0 (10.0.0.0/24 10.0.0.2-10.0.0.5) is exhausted: 4 of 4 addresses in use"),
                e.getMessage());
        assertTrue(e.getMessage().contains("\"c6/eth0\""), e.getMessage());
    }

    @Test
    void defaultsSkipNetworkGatewayAndBroadcast() {
        IpamConfig cfg = IpamConfig.ofSubnets(IpPrefix.parse("10.1.0.0/30"));
        assertEquals("10.1.0.2/30", addr(alloc(cfg, "a"), 0)); // .0 network, .1 gateway, .3 broadcast
        assertThrows(IpamExhaustedException.class, () -> alloc(cfg, "b"));
    }

    @Test
    void roundRobinDoesNotReuseAJustFreedAddress() {
        alloc(seed004(), "a");
        alloc(seed004(), "b");
        ipam.release(DIR, "net", "a", ETH0);
        assertEquals("10.0.0.4/24", addr(alloc(seed004(), "c"), 0));
        assertEquals("10.0.0.5/24", addr(alloc(seed004(), "d"), 0));
        assertEquals("10.0.0.2/24", addr(alloc(seed004(), "e"), 0)); // wraps around to the freed one
    }

    @Test
    void dualStackGetsOneAddressPerSetAndPassesRoutesAndDns() {
        Dns dns = new Dns(List.of("10.0.0.53"), "example", List.of("example"), List.of());
        List<Route> routes = List.of(Route.defaultVia(ip("10.0.0.1")));
        IpamConfig cfg = IpamConfig.ofSubnets(IpPrefix.parse("10.0.0.0/24"), IpPrefix.parse("fd00:1::/64"))
                .withRoutes(routes, dns);
        Allocation a = alloc(cfg, "a");
        assertEquals("10.0.0.2/24", addr(a, 0));
        assertEquals("fd00:1::2/64", addr(a, 1));
        assertEquals(ip("fd00:1::1"), a.addresses().get(1).gateway());
        assertEquals(routes, a.routes());
        assertEquals(dns, a.dns());
    }

    @Test
    void severalRangesInOneSetAreUsedInTurn() {
        IpamConfig cfg = IpamConfig.of(RangeSet.of(IpRange.parse("10.0.0.0/24", "10.0.0.10", "10.0.0.11", null),
                IpRange.parse("10.0.1.0/24", "10.0.1.10", "10.0.1.10", null)));
        assertEquals("10.0.0.10/24", addr(alloc(cfg, "a"), 0));
        assertEquals("10.0.0.11/24", addr(alloc(cfg, "b"), 0));
        Allocation c = alloc(cfg, "c");
        assertEquals("10.0.1.10/24", addr(c, 0));
        assertEquals(ip("10.0.1.1"), c.addresses().get(0).gateway());
        IpamExhaustedException e = assertThrows(IpamExhaustedException.class, () -> alloc(cfg, "d"));
        assertTrue(e.getMessage().contains("3 of 3"), e.getMessage());
    }

    @Test
    void requestedAddressIsHonouredOrRefusedNamingTheHolder() {
        assertEquals("10.0.0.4/24", addr(alloc(seed004(), "a", ip("10.0.0.4")), 0));
        AlreadyExistsException taken = assertThrows(AlreadyExistsException.class, () -> alloc(seed004(), "b", ip("10.0.0.4")));
        assertTrue(taken.getMessage().contains("already in use by \"a/eth0\""), taken.getMessage());
        InvalidInputException outside = assertThrows(InvalidInputException.class, () -> alloc(seed004(), "b", ip("10.0.0.9")));
        assertEquals("requested address", outside.field());
        assertTrue(outside.getMessage().contains("10.0.0.9") && outside.getMessage().contains("10.0.0.2-10.0.0.5"), outside.getMessage());
        assertThrows(InvalidInputException.class, () -> alloc(IpamConfig.ofSubnets(IpPrefix.parse("10.0.0.0/24")), "b", ip("10.0.0.1")));
    }

    @Test
    void excludedAddressesAreSkipped() {
        IpamConfig cfg = seed004().withExclude(List.of(IpPrefix.parse("10.0.0.2"), IpPrefix.parse("10.0.0.4/31")));
        assertEquals("10.0.0.3/24", addr(alloc(cfg, "a"), 0));
        assertThrows(IpamExhaustedException.class, () -> alloc(cfg, "b"));
        assertThrows(InvalidInputException.class, () -> alloc(cfg, "b", ip("10.0.0.5")));
    }

    @Test
    void secondAllocationForTheSameInterfaceIsRefused() {
        alloc(seed004(), "a");
        AlreadyExistsException e = assertThrows(AlreadyExistsException.class, () -> alloc(seed004(), "a"));
        assertTrue(e.getMessage().contains("already holds 10.0.0.2"), e.getMessage());
        ipam.allocate(AllocationRequest.of(DIR, "net", "a", IfName.of("eth1"), seed004()));
    }

    @Test
    void failureInTheSecondSetLeavesNothingReserved() {
        IpamConfig cfg = IpamConfig.ofSubnets(IpPrefix.parse("10.0.0.0/24"), IpPrefix.parse("fd00::/64"));
        store.failOnReserve = 2;
        assertThrows(IllegalStateException.class, () -> alloc(cfg, "a"));
        assertEquals(0, store.records.size());
    }

    @Test
    void releaseIsIdempotentAndByOwnerAndInterface() {
        alloc(seed004(), "a");
        ipam.allocate(AllocationRequest.of(DIR, "net", "a", IfName.of("eth1"), seed004()));
        assertEquals(List.of(ip("10.0.0.2")), ipam.release(DIR, "net", "a", ETH0));
        assertEquals(List.of(), ipam.release(DIR, "net", "a", ETH0));
        assertEquals(List.of(), ipam.release(DIR, "net", "nobody", ETH0));
        assertEquals(1, ipam.list(DIR, "net").size());
    }

    @Test
    void gcFreesExactlyTheStaleOnesAndKeepsWhatItCannotJudge() {
        IpamConfig cfg = IpamConfig.ofSubnets(IpPrefix.parse("10.0.0.0/24"));
        for (String owner : List.of("live", "dead1", "dead2")) {
            alloc(cfg, owner);
        }
        store.records.put(ip("10.0.0.50"), new AllocationRecord("net", ip("10.0.0.50"), null, null));      // unreadable
        store.records.put(ip("10.0.0.51"), new AllocationRecord("net", ip("10.0.0.51"), "live", null));    // legacy, owner live
        store.records.put(ip("10.0.0.52"), new AllocationRecord("net", ip("10.0.0.52"), "gone", null));    // legacy, owner gone
        store.records.put(ip("10.0.0.53"), new AllocationRecord("net", ip("10.0.0.53"), "live", "eth9"));  // live owner, stale if
        store.records.put(ip("10.0.0.54"), new AllocationRecord("net", ip("10.0.0.54"), "gone", "eth0")); // stale, but live
        Ipam.GcResult gc = ipam.gc(DIR, "net", Set.of(new Attachment("live", ETH0)), ip("10.0.0.54")::equals);
        assertEquals(List.of(ip("10.0.0.3"), ip("10.0.0.4"), ip("10.0.0.52"), ip("10.0.0.53")), gc.freed());
        assertEquals(List.of(ip("10.0.0.50"), ip("10.0.0.54")), gc.kept().stream().map(AllocationRecord::address).toList(),
                "the unreadable one and the one an interface holds are kept, and said so");
        assertEquals("names no owner", gc.kept().get(0).problem());
        assertTrue(gc.kept().get(1).readable());
        assertEquals(List.of(ip("10.0.0.2"), ip("10.0.0.50"), ip("10.0.0.51"), ip("10.0.0.54")),
                ipam.list(DIR, "net").stream().map(AllocationRecord::address).toList());
    }

    @Test
    void anAddressAnInterfaceHoldsIsNeverHandedOutEvenWithoutAReservation() {
        // 10.0.0.2's record was deleted, but the container still holds the address: the evidence says so
        AllocationRequest req = AllocationRequest.of(DIR, "net", "b", ETH0, seed004()).withInUse(ip("10.0.0.2")::equals);
        assertEquals("10.0.0.3/24", addr(ipam.allocate(req), 0), "skipped, not reserved");
        assertEquals(List.of(ip("10.0.0.3")), ipam.list(DIR, "net").stream().map(AllocationRecord::address).toList());
        AlreadyExistsException held = assertThrows(AlreadyExistsException.class, () -> ipam.allocate(
                AllocationRequest.of(DIR, "net", "c", ETH0, seed004()).withRequested(ip("10.0.0.2")).withInUse(ip("10.0.0.2")::equals)));
        assertTrue(held.getMessage().contains("10.0.0.2") && held.getMessage().contains("an interface already holds it"),
                held.getMessage());
        IpamExhaustedException full = assertThrows(IpamExhaustedException.class, () -> ipam.allocate(
                AllocationRequest.of(DIR, "net", "d", ETH0, seed004()).withInUse(a -> true)));
        assertTrue(full.getMessage().contains("1 of 4 addresses in use, 3 more held by interfaces without a reservation"),
                full.getMessage());
    }

    @Test
    void badConfigsAreRefusedNamingFieldAndValue() {
        InvalidInputException overlap = assertThrows(InvalidInputException.class, () -> ipam.validate(IpamConfig.of(
                RangeSet.of(IpRange.parse("10.0.0.0/24", null, null, null)),
                RangeSet.of(IpRange.parse("10.0.0.0/25", null, null, null)))));
        assertEquals("ranges[1][0]", overlap.field());
        assertTrue(overlap.getMessage().contains("overlaps ranges[0][0]"), overlap.getMessage());
        InvalidInputException cidr = assertThrows(InvalidInputException.class, () -> IpRange.parse("10.0.0.0/33", null, null, null));
        assertEquals("subnet", cidr.field());
        assertThrows(InvalidInputException.class, () -> IpRange.parse("10.0.0.1/24", null, null, null));
        assertThrows(InvalidInputException.class, () -> IpRange.parse("10.0.0.0/24", "banana", null, null));
        InvalidInputException start = assertThrows(InvalidInputException.class, () -> ipam.validate(IpamConfig.of(
                RangeSet.of(IpRange.parse("10.0.0.0/24", "10.0.0.0", null, null)))));
        assertEquals("ranges[0][0].rangeStart", start.field());
        InvalidInputException bcast = assertThrows(InvalidInputException.class, () -> ipam.validate(IpamConfig.of(
                RangeSet.of(IpRange.parse("10.0.0.0/24", null, "10.0.0.255", null)))));
        assertEquals("ranges[0][0].rangeEnd", bcast.field());
        assertThrows(InvalidInputException.class, () -> ipam.validate(IpamConfig.of(
                RangeSet.of(IpRange.parse("10.0.0.0/24", "10.0.0.9", "10.0.0.8", null)))));
        assertThrows(InvalidInputException.class, () -> ipam.validate(IpamConfig.of(
                RangeSet.of(IpRange.parse("10.0.0.0/24", null, null, "10.0.1.1")))));
        InvalidInputException small = assertThrows(InvalidInputException.class, () -> ipam.validate(IpamConfig.ofSubnets(
                IpPrefix.parse("10.0.0.0/31"))));
        assertTrue(small.getMessage().contains("too small"), small.getMessage());
        InvalidInputException mixed = assertThrows(InvalidInputException.class, () -> ipam.validate(IpamConfig.of(
                RangeSet.of(IpRange.parse("10.0.0.0/24", null, null, null), IpRange.parse("fd00::/64", null, null, null)))));
        assertEquals("ranges[0]", mixed.field());
    }
}
