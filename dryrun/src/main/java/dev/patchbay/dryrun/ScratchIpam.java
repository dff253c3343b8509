package dev.patchbay.dryrun;

import dev.patchbay.core.ipam.Allocation;
import dev.patchbay.core.ipam.AllocationRecord;
import dev.patchbay.core.ipam.AllocationRequest;
import dev.patchbay.core.ipam.Attachment;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.ipam.IpamConfig;
import dev.patchbay.core.model.IfName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * IPAM in a dry run: a data directory outside the state directory's copy (a network's {@code ipam.dir}, such as CNI's
 * {@code /var/lib/cni/networks}) is copied into it on first use and used there, so nothing outside the copy is written.
 */
public final class ScratchIpam implements Ipam {
    private final Ipam real;
    private final Path scratch;

    public ScratchIpam(Ipam real, Path scratch) {
        this.real = real;
        this.scratch = scratch;
    }

    /** {@code dataDir}, or its copy under {@code scratch/ipam-outside/} when it lies outside the copy. */
    synchronized Path dir(Path dataDir) {
        Path abs = dataDir.toAbsolutePath().normalize();
        if (abs.startsWith(scratch)) {
            return dataDir;
        }
        Path copy = scratch.resolve("ipam-outside").resolve(abs.toString().substring(1));
        if (!Files.isDirectory(copy)) {
            try {
                Files.createDirectories(copy);
                if (Files.isDirectory(abs)) {
                    try (Stream<Path> all = Files.walk(abs)) {
                        for (Path p : (Iterable<Path>) all::iterator) {
                            Path to = copy.resolve(abs.relativize(p).toString());
                            if (Files.isDirectory(p)) {
                                Files.createDirectories(to);
                            } else if (Files.isRegularFile(p)) {
                                Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                            }
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("failed to copy IPAM data directory \"" + abs + "\" for a dry run: " + e.getMessage(), e);
            }
        }
        return copy;
    }

    @Override
    public void validate(IpamConfig config) {
        real.validate(config);
    }

    @Override
    public Allocation allocate(AllocationRequest r) {
        return real.allocate(new AllocationRequest(dir(r.dataDir()), r.network(), r.ownerId(), r.ifName(), r.config(), r.requested(), r.inUse()));
    }

    @Override
    public List<InetAddress> release(Path dataDir, String network, String ownerId, IfName ifName) {
        return real.release(dir(dataDir), network, ownerId, ifName);
    }

    @Override
    public GcResult gc(Path dataDir, String network, Set<Attachment> valid, Predicate<InetAddress> live) {
        return real.gc(dir(dataDir), network, valid, live);
    }

    @Override
    public List<AllocationRecord> list(Path dataDir, String network) {
        return real.list(dir(dataDir), network);
    }

    @Override
    public List<String> networks(Path dataDir) {
        return real.networks(dir(dataDir));
    }
}
