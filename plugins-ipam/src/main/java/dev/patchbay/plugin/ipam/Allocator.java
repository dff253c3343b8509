package dev.patchbay.plugin.ipam;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.ipam.Allocation;
import dev.patchbay.core.ipam.AllocationRecord;
import dev.patchbay.core.ipam.AllocationRequest;
import dev.patchbay.core.ipam.IpamExhaustedException;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.plugin.ipam.store.Store;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * host-local's allocation rules over a {@link Store} whose lock the caller holds: one address per range set, the
 * requested one if given, else the first free address after the set's last reserved one (round-robin, so a
 * just-freed address is not handed out again at once), skipping the gateway, excluded addresses, every reserved one
 * (unreadable records too) and those the request's evidence says an interface holds. All or nothing.
 */
final class Allocator {
    private final Store store;
    private final Ranges ranges;

    Allocator(Store store, Ranges ranges) {
        this.store = store;
        this.ranges = ranges;
    }

    Allocation allocate(AllocationRequest req, Map<Integer, InetAddress> requested) {
        Map<InetAddress, AllocationRecord> taken = new HashMap<>();
        store.entries().forEach(e -> taken.put(e.address(), e));
        String ifName = req.ifName().value();
        for (List<Span> set : ranges.sets()) {
            for (AllocationRecord e : taken.values()) {
                if (req.ownerId().equals(e.ownerId()) && ifName.equals(e.ifName()) && inSet(set, e.address())) {
                    throw new AlreadyExistsException("failed to allocate address on network \"" + req.network() + "\" for "
                            + who(req) + ": it already holds " + IpAddresses.format(e.address()) + " in range set "
                            + set.get(0).set() + "; release it first");
                }
            }
        }
        List<InetAddress> reserved = new ArrayList<>();
        try {
            List<Allocation.Address> out = new ArrayList<>();
            for (List<Span> set : ranges.sets()) {
                int index = set.get(0).set();
                InetAddress ip = requested.containsKey(index)
                        ? claimRequested(req, requested.get(index), taken)
                        : next(req, set, taken);
                if (!store.reserve(ip, req.ownerId(), ifName)) {
                    throw new Raced("failed to allocate address " + IpAddresses.format(ip) + " on network \""
                            + req.network() + "\": taken by a writer that ignores the lock");
                }
                reserved.add(ip);
                store.setLastReserved(index, ip);
                Span span = set.stream().filter(s -> s.contains(ip)).findFirst().orElseThrow();
                out.add(new Allocation.Address(IpPrefix.of(ip, span.subnet().length()), span.gatewayAddress(), index));
            }
            return new Allocation(out, ranges.config().routes(), ranges.config().dns());
        } catch (RuntimeException e) {
            for (int i = reserved.size() - 1; i >= 0; i--) {
                try {
                    store.remove(reserved.get(i));
                } catch (RuntimeException undo) {
                    e.addSuppressed(undo);
                }
            }
            throw e;
        }
    }

    private static String who(AllocationRequest req) {
        return "\"" + req.ownerId() + "/" + req.ifName() + "\"";
    }

    private static boolean inSet(List<Span> set, InetAddress address) {
        for (Span s : set) {
            if (s.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private InetAddress claimRequested(AllocationRequest req, InetAddress ip, Map<InetAddress, AllocationRecord> taken) {
        AllocationRecord holder = taken.get(ip);
        if (holder != null) {
            throw new AlreadyExistsException("failed to allocate address " + IpAddresses.format(ip) + " on network \""
                    + req.network() + "\" for " + who(req) + ": already in use by " + describe(holder));
        }
        if (req.inUse().test(ip)) {
            throw new AlreadyExistsException("failed to allocate address " + IpAddresses.format(ip) + " on network \""
                    + req.network() + "\" for " + who(req) + ": an interface already holds it, though no reservation says so");
        }
        return ip;
    }

    static String describe(AllocationRecord r) {
        if (!r.readable()) {
            return "a record that cannot be read (it " + r.problem() + ")";
        }
        return "\"" + r.ownerId() + (r.ifName() == null ? "" : "/" + r.ifName()) + "\"";
    }

    /** The first free address after the set's last reserved one, wrapping around once. */
    private InetAddress next(AllocationRequest req, List<Span> set, Map<InetAddress, AllocationRecord> taken) {
        int n = set.size();
        int si = 0;
        BigInteger cur = set.get(0).start();
        Optional<InetAddress> last = store.lastReserved(set.get(0).set());
        if (last.isPresent()) {
            for (int i = 0; i < n; i++) {
                if (set.get(i).contains(last.get())) {
                    si = i;
                    cur = IpAddresses.toBigInteger(last.get()).add(BigInteger.ONE);
                    if (cur.compareTo(set.get(i).end()) > 0) {
                        si = (i + 1) % n;
                        cur = set.get(si).start();
                    }
                    break;
                }
            }
        }
        int startSi = si;
        BigInteger startCur = cur;
        int live = 0;
        do {
            Span span = set.get(si);
            if (!cur.equals(span.gateway())) {
                InetAddress ip = span.address(cur);
                if (!taken.containsKey(ip) && !ranges.excluded(ip)) {
                    if (!req.inUse().test(ip)) {
                        return ip;
                    }
                    live++;
                }
            }
            cur = cur.add(BigInteger.ONE);
            if (cur.compareTo(span.end()) > 0) {
                si = (si + 1) % n;
                cur = set.get(si).start();
            }
        } while (si != startSi || !cur.equals(startCur));
        throw exhausted(req, set, taken, live);
    }

    private IpamExhaustedException exhausted(AllocationRequest req, List<Span> set, Map<InetAddress, AllocationRecord> taken,
                                             int live) {
        long inUse = taken.keySet().stream().filter(ip -> inSet(set, ip)).count();
        BigInteger capacity = BigInteger.ZERO;
        for (Span s : set) {
            capacity = capacity.add(s.capacity());
        }
        List<String> names = set.stream().map(Span::toString).toList();
        return new IpamExhaustedException("failed to allocate address on network \"" + req.network() + "\" for " + who(req)
                + ": range set " + set.get(0).set() + " (" + String.join(", ", names) + ") is exhausted: " + inUse + " of "
                + capacity + " addresses in use" + (live == 0 ? "" : ", " + live + " more held by interfaces without a reservation")
                + (ranges.config().exclude().isEmpty() ? "" : " (some excluded)"));
    }

    /** The address file appeared after the directory was read: another writer got there first. */
    static final class Raced extends AlreadyExistsException {
        private static final long serialVersionUID = 1L;

        Raced(String message) {
            super(message);
        }
    }
}
