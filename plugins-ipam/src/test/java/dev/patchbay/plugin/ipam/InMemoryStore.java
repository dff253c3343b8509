package dev.patchbay.plugin.ipam;

import dev.patchbay.core.ipam.AllocationRecord;
import dev.patchbay.plugin.ipam.store.Store;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/** A {@link Store} in memory for allocator tests; {@link #failOnReserve} makes the n-th reserve throw. */
final class InMemoryStore implements Store {
    final String network;
    final Map<InetAddress, AllocationRecord> records = new LinkedHashMap<>();
    final Map<Integer, InetAddress> last = new LinkedHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    int reserves;
    int failOnReserve = -1;

    InMemoryStore(String network) {
        this.network = network;
    }

    @Override
    public String network() {
        return network;
    }

    @Override
    public boolean exists() {
        return true;
    }

    @Override
    public Lock lock() {
        lock.lock();
        return lock::unlock;
    }

    @Override
    public Lock readLock() {
        return lock();
    }

    @Override
    public List<AllocationRecord> entries() {
        return new ArrayList<>(records.values());
    }

    @Override
    public boolean reserve(InetAddress address, String ownerId, String ifName) {
        if (++reserves == failOnReserve) {
            throw new IllegalStateException("disk full (test)");
        }
        return records.putIfAbsent(address, new AllocationRecord(network, address, ownerId, ifName)) == null;
    }

    @Override
    public boolean remove(InetAddress address) {
        return records.remove(address) != null;
    }

    @Override
    public Optional<InetAddress> lastReserved(int rangeSet) {
        return Optional.ofNullable(last.get(rangeSet));
    }

    @Override
    public void setLastReserved(int rangeSet, InetAddress address) {
        last.put(rangeSet, address);
    }
}
