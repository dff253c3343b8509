package dev.patchbay.core.ipam;

import dev.patchbay.core.model.IfName;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Address management for one data directory per call, CNI host-local style: one address per range set, round-robin,
 * never the network, broadcast or gateway address. Registered as {@value #TYPE_PROPERTY}{@code =host-local} (e.g.);
 * every method is safe across threads and processes sharing the data directory.
 */
@ProviderType
public interface Ipam {
    /** Service property naming the implementation. */
    String TYPE_PROPERTY = "patchbay.ipam.type";

    /** Patchbay's data directory inside a state directory: {@code <state dir>/ipam}. */
    static Path dataDir(Path stateDir) {
        return stateDir.resolve("ipam");
    }

    /** Checks a configuration without touching anything; throws InvalidInputException naming field and value. */
    void validate(IpamConfig config);

    /**
     * Reserves one address in each range set (the requested one where given). All or nothing: on failure nothing
     * stays reserved. Throws AlreadyExistsException if the owner/interface already holds an address in a set or a
     * requested address is taken, {@link IpamExhaustedException} when a range set is full.
     */
    Allocation allocate(AllocationRequest request);

    /** Frees every address of {@code ownerId}/{@code ifName}; an unknown owner is not an error. Returns the freed. */
    List<InetAddress> release(Path dataDir, String network, String ownerId, IfName ifName);

    /**
     * Frees the reservations no attachment of {@code valid} holds (CNI 1.1 GC), only by evidence: a record it can
     * read, naming no valid attachment (one without interface is its owner's on any), whose address {@code live} (the
     * kernel's evidence, asked once per such record) says no interface holds. Unreadable or live ones it keeps.
     */
    GcResult gc(Path dataDir, String network, Set<Attachment> valid, Predicate<InetAddress> live);

    /** What {@link #gc} freed, and kept though no valid attachment holds it: unreadable ({@code problem}) or live. */
    record GcResult(List<InetAddress> freed, List<AllocationRecord> kept) {
        public GcResult {
            freed = List.copyOf(freed);
            kept = List.copyOf(kept);
        }
    }

    /**
     * For the CNI IPAM type of its own name: the configuration's {@code ipam} object (as NetworkPlugin.cniOptions gets it)
     * as ranges and routes in a data directory; null, not served and wrong values as there. Since 2.1
     */
    default CniIpam cniIpam(java.util.Map<String, Object> ipam) {
        return null;
    }

    /** What {@link #cniIpam} maps an {@code ipam} object onto. Since 2.1 */
    record CniIpam(IpamConfig config, Path dataDir) {
    }

    /** The reservations of {@code network}, unreadable ones too, sorted; empty if it has no data. Creates nothing. */
    List<AllocationRecord> list(Path dataDir, String network);

    /** The networks with a directory under {@code dataDir}, sorted. */
    List<String> networks(Path dataDir);
}
