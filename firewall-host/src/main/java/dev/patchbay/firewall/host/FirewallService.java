package dev.patchbay.firewall.host;

import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.firewall.Firewall;
import dev.patchbay.state.FileLocks;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetworkStack;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/** The {@link FirewallManager}: knows every installed backend (by name and ranking) and hands out hosts. */
@Component(service = FirewallManager.class)
public final class FirewallService implements FirewallManager {

    /**
     * Service property of a backend whose {@link Firewall#drifted} answers at a constant cost while nothing but its own
     * changes touched the kernel (value {@code generation}: it asks nf_tables' generation): the host checks the whole
     * footprint on every change, not once per process.
     */
    static final String DRIFT = "patchbay.firewall.drift";

    /** An installed backend; {@code cheapDrift}: see {@link #DRIFT}. */
    record Backend(String name, int ranking, Firewall firewall, boolean cheapDrift) {
    }

    /** Names host namespaces for their logs; without one (unit tests) a log is named by the namespace file's inode. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile NetworkStack stack;

    private final Map<String, Backend> backends = new ConcurrentHashMap<>();
    /** What this process last read of each host's log: used and changed under the firewall lock only. */
    private final Map<Path, HostLog> logs = new ConcurrentHashMap<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addFirewall(Firewall fw, Map<String, Object> props) {
        String name = String.valueOf(props.getOrDefault(Firewall.BACKEND, fw.backend()));
        Object r = props.get("service.ranking");
        backends.put(name, new Backend(name, r instanceof Integer i ? i : 0, fw, props.get(DRIFT) != null));
    }

    void removeFirewall(Firewall fw, Map<String, Object> props) {
        backends.values().removeIf(b -> b.firewall() == fw);
    }

    /** For tests and wiring without OSGi. */
    public void add(Firewall fw, int ranking) {
        add(fw, ranking, false);
    }

    /** For tests: {@code cheapDrift} as the {@link #DRIFT} property would say. */
    void add(Firewall fw, int ranking, boolean cheapDrift) {
        backends.put(fw.backend(), new Backend(fw.backend(), ranking, fw, cheapDrift));
    }

    /** Installed backends, best-ranked first. */
    List<Backend> backends() {
        List<Backend> out = new ArrayList<>(backends.values());
        out.sort(Comparator.comparingInt(Backend::ranking).reversed().thenComparing(Backend::name));
        return out;
    }

    Backend backend(String name) {
        Backend b = backends.get(name);
        if (b == null) {
            throw NotFoundException.of("firewall backend", name, "the installed bundles (installed: "
                    + backends().stream().map(Backend::name).toList() + ")");
        }
        return b;
    }

    /** A dry run's manager: its backends are {@link Rehearsed}, and it posts no event. */
    boolean rehearsing;

    @Override
    public FirewallManager rehearsal(java.util.function.BiConsumer<NetnsRef, String> out) {
        FirewallService r = new FirewallService();
        r.stack = stack;
        r.rehearsing = true;
        backends.forEach((name, b) -> r.backends.put(name, new Backend(name, b.ranking(), new Rehearsed(b.firewall(), out), b.cheapDrift())));
        return r;
    }

    @Override
    public FirewallHost host(Path stateDir, NetnsRef netns) {
        return new Host(this, stateDir, netns);
    }

    @Override
    public void forgetGone(Path stateDir, String identity, java.util.function.Predicate<String> ids) {
        locked(stateDir, () -> {
            java.nio.file.Path file = HostLog.file(stateDir, identity);
            if (!java.nio.file.Files.exists(file)) {
                return null;
            }
            HostLog r = log(stateDir, identity).refresh("gone");
            for (String id : new java.util.ArrayList<>(r.owners().keySet())) {
                if (ids.test(id)) {
                    r.remove(id);
                }
            }
            if (r.owners().isEmpty()) {
                r.forgetAll();
                logs.remove(file.toAbsolutePath().normalize());
            }
            return null;
        });
    }

    /** This process's view of the log of host {@code identity} in {@code stateDir}. */
    HostLog log(Path stateDir, String identity) {
        return logs.computeIfAbsent(HostLog.file(stateDir, identity).toAbsolutePath().normalize(), f -> new HostLog(stateDir, identity));
    }

    /** This process, in the writer stamp: a clock reading and an object's identity, unlikely twice on one machine. */
    private static final String ME = Long.toHexString(System.nanoTime()) + "." + Integer.toHexString(System.identityHashCode(new Object()));
    private final java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();
    /** The writer stamp this process last wrote or read, by host log: what it has seen of the firewall. */
    private final Map<Path, String> seen = new ConcurrentHashMap<>();

    /**
     * Under the firewall lock: whether another process changed the firewall since this one last changed or refreshed
     * host {@code log}'s ({@code firewall/.writer} names the last writer of the state directory's firewalls, one stamp
     * per change). A caller that gets true reads the kernel again (a backend's view of it is stale) and calls
     * {@link #wrote}.
     */
    boolean changedElsewhere(Path stateDir, Path log) {
        String now;
        try {
            now = java.nio.file.Files.readString(stamp(stateDir));
        } catch (java.nio.file.NoSuchFileException e) {
            now = "";
        } catch (java.io.IOException e) {
            now = "unreadable";
        }
        String before = seen.putIfAbsent(log, now);
        return before != null && !before.equals(now); // none: this process has no view of the kernel yet
    }

    /** Under the firewall lock, after a change of host {@code log}'s firewall (or a refresh): stamps it as this process's. */
    void wrote(Path stateDir, Path log) {
        String mine = ME + "." + writes.incrementAndGet();
        try {
            Path f = stamp(stateDir);
            if (!java.nio.file.Files.exists(f)) {
                java.nio.file.Files.createFile(f, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            }
            java.nio.file.Files.writeString(f, mine);
            seen.put(log, mine);
        } catch (java.io.IOException e) {
            seen.remove(log); // unknown: the next change reads the kernel again
        }
    }

    private static Path stamp(Path stateDir) {
        return stateDir.resolve("firewall").resolve(".writer");
    }

    /** Runs {@code action} holding the firewall lock of the state directory, against threads and processes. */
    static <T> T locked(Path stateDir, Supplier<T> action) {
        return FileLocks.locked(stateDir.resolve("firewall").resolve(".lock"), action);
    }
}
