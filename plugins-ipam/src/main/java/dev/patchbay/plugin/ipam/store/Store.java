package dev.patchbay.plugin.ipam.store;

import dev.patchbay.core.ipam.AllocationRecord;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * The allocations of one network. Callers hold {@link #lock()} around every read-decide-write sequence; the
 * methods themselves do not lock.
 */
public interface Store {
    String network();

    /** Whether the network has any data yet (a directory on disk); if not, nothing is locked or read. */
    boolean exists();

    /** Exclusive across threads and processes (host-local takes the same lock); close to release. */
    Lock lock();

    /**
     * For reading only: waits for writers but creates nothing; if the network has no lock file yet it holds no file
     * lock at all (nothing was written under one).
     */
    Lock readLock();

    /** Every reserved address with its owner (unreadable records too), in no particular order. */
    List<AllocationRecord> entries();

    /** Records {@code address} for {@code ownerId}/{@code ifName}; false if it is already taken. */
    boolean reserve(InetAddress address, String ownerId, String ifName);

    /** Forgets {@code address}; false if it was not reserved. */
    boolean remove(InetAddress address);

    Optional<InetAddress> lastReserved(int rangeSet);

    void setLastReserved(int rangeSet, InetAddress address);

    /** A held lock. */
    interface Lock extends AutoCloseable {
        @Override
        void close();
    }
}
