package dev.patchbay.plugin.ipam;

import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.ipam.Allocation;
import dev.patchbay.core.ipam.AllocationRecord;
import dev.patchbay.core.ipam.AllocationRequest;
import dev.patchbay.core.ipam.Attachment;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.ipam.IpamConfig;
import dev.patchbay.core.ipam.IpamNames;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.plugin.ipam.store.DiskStore;
import dev.patchbay.plugin.ipam.store.Store;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import org.osgi.service.component.annotations.Component;

/** The {@code host-local} {@link Ipam}: CNI host-local's rules and on-disk layout (see {@link DiskStore}). */
@Component(service = Ipam.class, property = Ipam.TYPE_PROPERTY + "=host-local")
public final class HostLocalIpam implements Ipam {
    /** Opens the store of one network; tests put an in-memory store here. */
    BiFunction<Path, String, Store> stores = DiskStore::new;

    @Override
    public void validate(IpamConfig config) {
        if (config == null) {
            throw new InvalidInputException("ipam config", null, "is required");
        }
        Ranges.resolve(config);
    }

    /** The CNI IPAM type {@code host-local}: its keys, {@link HostLocalCni}. */
    @Override
    public CniIpam cniIpam(Map<String, Object> ipam) {
        return HostLocalCni.map(ipam);
    }

    @Override
    public Allocation allocate(AllocationRequest request) {
        Ranges ranges = Ranges.resolve(request.config());
        Map<Integer, InetAddress> requested = ranges.placeRequested(request.requested(), request.network());
        Store store = stores.apply(request.dataDir(), request.network());
        try (Store.Lock lock = store.lock()) {
            try {
                return new Allocator(store, ranges).allocate(request, requested);
            } catch (Allocator.Raced raced) { // what was read was stale: once more, from a fresh read
                return new Allocator(store, ranges).allocate(request, requested);
            }
        }
    }

    @Override
    public List<InetAddress> release(Path dataDir, String network, String ownerId, IfName ifName) {
        IpamNames.checkOwner(ownerId);
        if (ifName == null) {
            throw new InvalidInputException("interface name", null, "is required");
        }
        // records without an interface (written by host-local before CNI 0.8) belong to the owner on any interface
        return removeWhere(dataDir, network, r -> ownerId.equals(r.ownerId())
                && (r.ifName() == null || r.ifName().equals(ifName.value())));
    }

    @Override
    public GcResult gc(Path dataDir, String network, Set<Attachment> valid, Predicate<InetAddress> live) {
        return gc(dataDir, network, valid, live, false);
    }

    /**
     * {@link #gc}, or with {@code dryRun} what it would do (under a read lock, changing and creating nothing). The
     * records are read afresh, not from this process's snapshot: a record garbled in place leaves the directory's
     * mtime as it was.
     */
    public GcResult gc(Path dataDir, String network, Set<Attachment> valid, Predicate<InetAddress> live, boolean dryRun) {
        if (valid == null) {
            throw new InvalidInputException("valid attachments", null, "are required (an empty set frees everything)");
        }
        if (live == null) {
            throw new InvalidInputException("evidence", null, "is required (the addresses interfaces hold; a -> false for none)");
        }
        Store store = stores.apply(dataDir, network);
        List<InetAddress> freed = new ArrayList<>();
        List<AllocationRecord> kept = new ArrayList<>();
        if (!store.exists()) {
            return new GcResult(freed, kept);
        }
        if (store instanceof DiskStore d) {
            d.forget();
        }
        try (Store.Lock lock = dryRun ? store.readLock() : store.lock()) {
            for (AllocationRecord r : store.entries()) {
                if (!r.readable() || (isStale(r, valid) && live.test(r.address()))) {
                    kept.add(r);
                } else if (isStale(r, valid) && (dryRun || store.remove(r.address()))) {
                    freed.add(r.address());
                }
            }
        }
        freed.sort(ADDRESS_ORDER);
        kept.sort(Comparator.comparing(AllocationRecord::address, ADDRESS_ORDER));
        return new GcResult(freed, kept);
    }

    /** CNI GC on a readable record: stale unless valid; one without interface is valid if its owner is, on any. */
    static boolean isStale(AllocationRecord r, Set<Attachment> valid) {
        if (r.ownerId() == null) {
            return false;
        }
        if (r.ifName() == null) {
            return valid.stream().noneMatch(a -> a.ownerId().equals(r.ownerId()));
        }
        return valid.stream().noneMatch(a -> a.ownerId().equals(r.ownerId()) && a.ifName().value().equals(r.ifName()));
    }

    /** Frees one address whatever its owner (the operator's escape hatch for unreadable records). */
    public boolean releaseAddress(Path dataDir, String network, InetAddress address) {
        return !removeWhere(dataDir, network, r -> r.address().equals(address)).isEmpty();
    }

    private List<InetAddress> removeWhere(Path dataDir, String network, Predicate<AllocationRecord> stale) {
        Store store = stores.apply(dataDir, network);
        List<InetAddress> freed = new ArrayList<>();
        if (!store.exists()) {
            return freed;
        }
        try (Store.Lock lock = store.lock()) {
            for (AllocationRecord r : store.entries()) {
                if (stale.test(r) && store.remove(r.address())) {
                    freed.add(r.address());
                }
            }
        }
        freed.sort(ADDRESS_ORDER);
        return freed;
    }

    @Override
    public List<AllocationRecord> list(Path dataDir, String network) {
        Store store = stores.apply(dataDir, network);
        if (!store.exists()) {
            return List.of();
        }
        if (store instanceof DiskStore d) {
            d.forget(); // read every record afresh: one damaged in place leaves the directory's mtime as it was
        }
        List<AllocationRecord> out;
        try (Store.Lock lock = store.readLock()) {
            out = new ArrayList<>(store.entries());
        }
        out.sort(Comparator.comparing(AllocationRecord::address, ADDRESS_ORDER));
        return out;
    }

    @Override
    public List<String> networks(Path dataDir) {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(dataDir)) {
            return out;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(dataDir, Files::isDirectory)) {
            for (Path d : dirs) {
                String name = d.getFileName().toString();
                if (!name.startsWith(".")) {
                    out.add(name);
                }
            }
        } catch (IOException e) {
            throw new BackendException("failed to list networks in \"" + dataDir + "\": " + DiskStore.words(e), e);
        }
        out.sort(null);
        return out;
    }

    /** IPv4 before IPv6, then numeric. */
    static final Comparator<InetAddress> ADDRESS_ORDER = Comparator
            .<InetAddress>comparingInt(a -> a.getAddress().length)
            .thenComparing(a -> new BigInteger(1, a.getAddress()));

    static String format(InetAddress a) {
        return IpAddresses.format(a);
    }
}
