package dev.patchbay.plugin.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.ipam.Allocation;
import dev.patchbay.core.ipam.AllocationRecord;
import dev.patchbay.core.ipam.AllocationRequest;
import dev.patchbay.core.ipam.IpRange;
import dev.patchbay.core.ipam.IpamConfig;
import dev.patchbay.core.ipam.RangeSet;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.plugin.ipam.store.DiskStore;
import dev.patchbay.plugin.ipam.store.Store;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real CNI host-local binary and Patchbay on one data directory, both ways round and at the same time. */
@NetnsTest
class HostLocalInteropIT {
    static final IfName ETH0 = IfName.of("eth0");
    static final IpamConfig SEED = IpamConfig.of(RangeSet.of(IpRange.parse("10.0.0.0/24", "10.0.0.2", "10.0.0.5", "10.0.0.1")));
    static final IpamConfig DUAL = IpamConfig.of(RangeSet.of(IpRange.parse("10.0.0.0/24", "10.0.0.2", "10.0.0.5", "10.0.0.1")),
            RangeSet.of(IpRange.parse("fd00:1::/64", null, null, null)));

    @TempDir
    Path data;
    final HostLocalIpam ipam = new HostLocalIpam();

    Allocation allocate(String owner, IpamConfig config) {
        return ipam.allocate(AllocationRequest.of(data, "net", owner, ETH0, config));
    }

    static List<String> texts(Allocation a) {
        return a.addresses().stream().map(x -> IpAddresses.format(x.address().address())).toList();
    }

    @Test
    void readsAndContinuesADirectoryWrittenByHostLocal(Sandbox sandbox) throws Exception {
        HostLocal hl = new HostLocal("/run/netns/" + sandbox.netns("c"), "net", data, DUAL);
        assertEquals(List.of("10.0.0.2", "fd00:1::2"), hl.add("ctr1").addresses());
        assertEquals(List.of("10.0.0.3", "fd00:1::3"), hl.add("ctr2").addresses());

        List<AllocationRecord> seen = ipam.list(data, "net");
        assertEquals(List.of("10.0.0.2 ctr1 eth0", "10.0.0.3 ctr2 eth0", "fd00:1::2 ctr1 eth0", "fd00:1::3 ctr2 eth0"),
                seen.stream().map(r -> IpAddresses.format(r.address()) + " " + r.ownerId() + " " + r.ifName()).toList());
        assertEquals(List.of("10.0.0.4", "fd00:1::4"), texts(allocate("pb1", DUAL)), "continues after host-local's last_reserved_ip");
        AlreadyExistsException taken = assertThrows(AlreadyExistsException.class, () -> ipam.allocate(
                AllocationRequest.of(data, "net", "pb2", ETH0, DUAL).withRequested(IpAddresses.parse("ip", "10.0.0.2"))));
        assertTrue(taken.getMessage().contains("in use by \"ctr1/eth0\""), taken.getMessage());
        assertEquals(2, ipam.release(data, "net", "ctr1", ETH0).size());

        assertEquals(List.of("10.0.0.5", "fd00:1::5"), hl.add("ctr3").addresses(), "host-local reads Patchbay's last_reserved_ip");
        assertEquals(List.of("10.0.0.2", "fd00:1::6"), hl.add("ctr4").addresses(), "host-local reuses what Patchbay released");
        HostLocal.Result full = hl.add("ctr5");
        assertNotEquals(0, full.code());
        assertEquals(4, ipam.list(data, "net").stream().filter(r -> r.address().getAddress().length == 4).count());
    }

    @Test
    void hostLocalReadsADirectoryWrittenByPatchbay(Sandbox sandbox) throws Exception {
        HostLocal hl = new HostLocal("/run/netns/" + sandbox.netns("c"), "net", data, SEED);
        assertEquals(List.of("10.0.0.2"), texts(allocate("pb1", SEED)));
        assertEquals(List.of("10.0.0.3"), texts(allocate("pb2", SEED)));

        HostLocal.Result dup = hl.add("pb1");
        assertNotEquals(0, dup.code(), "host-local must see pb1/eth0's record: " + dup.stdout());
        assertTrue(dup.stdout().contains("duplicate allocation"), dup.stdout());
        assertEquals(List.of("10.0.0.4"), hl.add("hl1").addresses(), "host-local continues after Patchbay's last_reserved_ip");
        assertEquals(0, hl.del("pb1").code());
        assertFalse(Files.exists(data.resolve("net").resolve("10.0.0.2")), "host-local DEL matched Patchbay's record bytes");
        assertEquals(List.of("10.0.0.3 pb2 eth0", "10.0.0.4 hl1 eth0"), ipam.list(data, "net").stream()
                .map(r -> IpAddresses.format(r.address()) + " " + r.ownerId() + " " + r.ifName()).toList());
    }

    @Test
    void eachWaitsForTheOthersLock(Sandbox sandbox) throws Exception {
        HostLocal hl = new HostLocal("/run/netns/" + sandbox.netns("c"), "net", data, SEED);
        DiskStore store = new DiskStore(data, "net");
        Process blocked;
        try (Store.Lock lock = store.lock()) {
            blocked = hl.start("ADD", "hl1", "eth0");
            assertFalse(blocked.waitFor(500, TimeUnit.MILLISECONDS), "host-local ran while Patchbay held the lock");
        }
        assertEquals(List.of("10.0.0.2"), HostLocal.finish(blocked).addresses());

        // util-linux flock(1) takes the same flock(2) lock host-local takes
        Process holder = new ProcessBuilder("flock", data.resolve("net").resolve("lock").toString(), "sleep", "1.5").start();
        Thread.sleep(300);
        long t0 = System.nanoTime();
        ipam.list(data, "net");
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;
        holder.waitFor(10, TimeUnit.SECONDS);
        assertTrue(waitedMs >= 800, "Patchbay did not wait for the flock holder (" + waitedMs + " ms)");
    }

    @Test
    void hostLocalProcessesAndPatchbayThreadsAtOnceNeverShareAnAddress(Sandbox sandbox) throws Exception {
        IpamConfig config = IpamConfig.ofSubnets(IpPrefix.parse("10.40.0.0/24"));
        HostLocal hl = new HostLocal("/run/netns/" + sandbox.netns("c"), "net", data, config);
        ExecutorService pool = Executors.newFixedThreadPool(12);
        List<Future<List<String>>> results = new ArrayList<>();
        for (int w = 0; w < 12; w++) {
            int worker = w;
            results.add(pool.submit(() -> {
                List<String> got = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    String owner = "w" + worker + "-" + i;
                    got.addAll(worker % 2 == 0 ? hl.add(owner).addresses() : texts(allocate(owner, config)));
                }
                return got;
            }));
        }
        List<String> all = new ArrayList<>();
        for (Future<List<String>> f : results) {
            all.addAll(f.get(120, TimeUnit.SECONDS));
        }
        pool.shutdown();
        assertEquals(60, all.size());
        assertEquals(60, new HashSet<>(all).size(), "an address was handed out twice");
        Set<String> owners = new HashSet<>();
        ipam.list(data, "net").forEach(r -> owners.add(r.ownerId()));
        assertEquals(60, owners.size());
    }
}
