package dev.patchbay.orchestrator.network;

import dev.patchbay.state.Json;
import dev.patchbay.state.StateLog;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Operations in flight. An operation writes one entry before it changes anything, naming every step it
 * may take with what undoing that step needs (all of it is known up front: link names are derived from
 * the container id), and deletes the entry when it completed or was rolled back. After a crash at any
 * point, {@code patchbay gc} undoes (attach, create) or finishes (detach, remove) what an entry names;
 * undoing a step that never happened finds nothing and is done.
 * <p>
 * Entries live in one {@link StateLog} per network, {@code journal/NAME.log}, written under the network's
 * lock: beginning and ending an operation each append a line to a file that exists. The log goes with its
 * network. One write, no fsync: a killed process loses nothing (the page cache survives it), and what a
 * power loss could lose — links, namespaces, rules — does not survive a reboot either. A torn entry (the
 * process died while writing it) names an operation that had not started. Entries written as single files,
 * {@code journal/ID.json}, are read too (and forgotten by deleting the file).
 */
final class Journal {
    /** One operation's record. */
    record Entry(String id, String op, String network, String containerId, String hostNetns, List<Step> steps) {
    }

    /** One step the operation may take, with what is needed to undo it. */
    record Step(String kind, Map<String, String> data) {
        static Step of(String kind, Map<String, String> data) {
            return new Step(kind, Map.copyOf(data));
        }
    }

    private final Path stateDir;
    private final Entry entry;

    private Journal(Path stateDir, Entry entry) {
        this.stateDir = stateDir;
        this.entry = entry;
    }

    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final String PID = pid();

    /**
     * {@code OP-MILLIS-PID-N} (millis in hex): unique among the entries of all processes, live ones by their pids and
     * dead ones by the time, and made without a SecureRandom (a UUID's), whose set-up costs a cold run 20 ms.
     */
    static String newId(String op) {
        return op + "-" + Long.toHexString(System.currentTimeMillis()) + "-" + PID + "-" + SEQUENCE.incrementAndGet();
    }

    private static String pid() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self")).toString(); // ProcessHandle sets up the process API
        } catch (IOException | UnsupportedOperationException e) {
            return Long.toString(ProcessHandle.current().pid());
        }
    }

    /** Records the operation; the caller holds the network's lock. */
    static Journal begin(Path stateDir, String op, String network, String containerId, String hostNetns, List<Step> steps) {
        Entry e = new Entry(newId(op), op, network, containerId, hostNetns, List.copyOf(steps));
        log(stateDir, network).put(e.id(), Json.compact().toJson(e)); // an append reads what others appended first
        return new Journal(stateDir, e);
    }

    /** The operation completed (or was rolled back): forget it. */
    void done() {
        StateLog log = log(stateDir, entry.network());
        log.remove(entry.id());
        dropIfGone(stateDir, entry.network(), log);
    }

    /**
     * {@link #done}, unless the state directory refuses the write (a full disk): then the entry stays and {@code gc},
     * which finds the operation finished or fully undone, forgets it. For an operation whose outcome is settled either
     * way, so that a failure to forget it neither hides the operation's own error nor undoes what it did.
     */
    void doneIfPossible() {
        try {
            done();
        } catch (dev.patchbay.core.errors.BackendException left) {
            // the entry stays for gc; see above
        }
    }

    /**
     * Entries of operations in flight, of every network. A line that cannot be read (damage, or JSON that is no entry)
     * is skipped here, so nothing is blocked by it: {@link #damage} names it and {@link #repair} removes it. Torn single
     * files are dropped (their operation never began).
     */
    static List<Entry> pending(Path stateDir) {
        List<Entry> out = new ArrayList<>();
        for (Path p : files(stateDir)) {
            String name = p.getFileName().toString();
            if (name.endsWith(".log")) {
                for (String json : log(stateDir, name.substring(0, name.length() - 4)).refreshReadable().all().values()) {
                    Entry e = entry(json);
                    if (e != null) {
                        out.add(e);
                    }
                }
                continue;
            }
            try {
                StateFiles.read(p, Entry.class).filter(Journal::complete).ifPresent(out::add);
            } catch (dev.patchbay.state.NewerStateException newer) {
                throw newer; // a newer Patchbay's entry: refused, never dropped as torn
            } catch (RuntimeException torn) {
                StateFiles.delete(p);
            }
        }
        return out;
    }

    /** The networks whose journal log holds lines that cannot be used, each with what is wrong. */
    static Map<String, List<String>> damage(Path stateDir) {
        Map<String, List<String>> out = new java.util.TreeMap<>();
        for (Path p : files(stateDir)) {
            String name = p.getFileName().toString();
            if (!name.endsWith(".log")) {
                continue;
            }
            String network = name.substring(0, name.length() - 4);
            StateLog log = log(stateDir, network).refreshReadable();
            List<String> problems = new ArrayList<>();
            log.damage().forEach(d -> problems.add(d.what()));
            log.all().forEach((key, json) -> {
                if (entry(json) == null) {
                    problems.add("entry \"" + key + "\" is no operation (it names no op, network or namespace)");
                }
            });
            if (!problems.isEmpty()) {
                out.put(network, problems);
            }
        }
        return out;
    }

    /**
     * Rewrites a network's journal log without what cannot be used (kept beside it as {@code NAME.log.damaged-TIME});
     * the caller holds the network's lock. What a lost line was doing is found by reconciling the kernel with the
     * records, not from the journal. Returns the copy kept, or null if the log was whole.
     */
    static Path repair(Path stateDir, String network) {
        StateLog log = log(stateDir, network).refreshReadable();
        Path copy = null;
        for (Map.Entry<String, String> e : log.all().entrySet()) {
            if (entry(e.getValue()) == null) {
                if (copy == null) {
                    copy = keep(log.file());
                }
                log.remove(e.getKey());
            }
        }
        if (!log.damage().isEmpty()) {
            Path kept = log.repair(); // rewritten from the readable lines: the entries just removed go with it
            copy = copy == null ? kept : copy;
        }
        dropIfGone(stateDir, network, log);
        return copy;
    }

    /** Forgets every entry of a network that is removed (under its lock): nothing it names can be in flight any more. */
    static void forgetAll(Path stateDir, String network) {
        StateLog log = log(stateDir, network).refreshReadable();
        StateFiles.delete(log.file());
        StateLog.unshare(log.file());
    }

    private static Path keep(Path file) {
        Path copy = file.resolveSibling(file.getFileName() + ".damaged-" + java.time.format.DateTimeFormatter
                .ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now()));
        try {
            Files.copy(file, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            dev.patchbay.state.Modes.narrow(copy);
        } catch (IOException e) {
            throw new dev.patchbay.core.errors.BackendException("failed to keep \"" + file + "\": " + StateFiles.words(e), e);
        }
        return copy;
    }

    /** An entry, or null if the JSON is none (a line that is JSON but not what {@link #begin} writes). */
    private static Entry entry(String json) {
        try {
            Entry e = Json.compact().fromJson(json, Entry.class);
            return e != null && complete(e) ? e : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static boolean complete(Entry e) {
        return e.id() != null && e.op() != null && e.network() != null && e.hostNetns() != null && e.steps() != null;
    }

    private static List<Path> files(Path stateDir) {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(stateDir.resolve("journal"), "*.{log,json}")) {
            ds.forEach(out::add);
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            throw new dev.patchbay.core.errors.BackendException("failed to read the journal: " + StateFiles.words(e), e);
        }
        return out;
    }

    /** True while the entry is recorded: its operation has not finished (or died). The caller holds the network's lock. */
    static boolean exists(Path stateDir, Entry e) {
        return log(stateDir, e.network()).refreshReadable().get(e.id()) != null || Files.exists(single(stateDir, e));
    }

    /**
     * Forgets an entry; the caller holds the network's lock. A log left empty is deleted once its network is
     * gone (removed, or never made), so nothing of a removed network stays behind.
     */
    static void forget(Path stateDir, Entry e) {
        StateLog log = log(stateDir, e.network()).refreshReadable();
        log.remove(e.id());
        StateFiles.delete(single(stateDir, e));
        dropIfGone(stateDir, e.network(), log);
    }

    private static void dropIfGone(Path stateDir, String network, StateLog log) {
        if (log.isEmpty() && !Files.exists(stateDir.resolve("networks").resolve(network + ".json"))) {
            log.deleteIfEmpty();
            StateLog.unshare(log.file());
        }
    }

    private static Path single(Path stateDir, Entry e) {
        return stateDir.resolve("journal").resolve(e.id() + ".json");
    }

    private static StateLog log(Path stateDir, String network) {
        return StateLog.shared(stateDir.resolve("journal").resolve(network + ".log"), Map.of("network", network));
    }
}
