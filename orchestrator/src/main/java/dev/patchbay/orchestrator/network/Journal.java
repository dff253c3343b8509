package dev.patchbay.orchestrator.network;

import dev.patchbay.core.command.Json;
import dev.patchbay.orchestrator.state.StateLog;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

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

    /** Records the operation; the caller holds the network's lock. */
    static Journal begin(Path stateDir, String op, String network, String containerId, String hostNetns, List<Step> steps) {
        Entry e = new Entry(op + "-" + UUID.randomUUID(), op, network, containerId, hostNetns, List.copyOf(steps));
        log(stateDir, network).put(e.id(), Json.compact().toJson(e)); // an append reads what others appended first
        return new Journal(stateDir, e);
    }

    /** The operation completed (or was rolled back): forget it. */
    void done() {
        StateLog log = log(stateDir, entry.network());
        log.remove(entry.id());
        dropIfGone(stateDir, entry.network(), log);
    }

    /** Entries of operations in flight, of every network; torn entries are dropped (their operation never began). */
    static List<Entry> pending(Path stateDir) {
        List<Entry> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(stateDir.resolve("journal"), "*.{log,json}")) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.endsWith(".log")) {
                    log(stateDir, name.substring(0, name.length() - 4)).refresh().all().values()
                            .forEach(json -> out.add(Json.compact().fromJson(json, Entry.class)));
                    continue;
                }
                try {
                    StateFiles.read(p, Entry.class).ifPresent(out::add);
                } catch (RuntimeException torn) {
                    StateFiles.delete(p);
                }
            }
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            throw new dev.patchbay.core.errors.BackendException("failed to read the journal: " + e.getMessage(), e);
        }
        return out;
    }

    /** True while the entry is recorded: its operation has not finished (or died). The caller holds the network's lock. */
    static boolean exists(Path stateDir, Entry e) {
        return log(stateDir, e.network()).refresh().get(e.id()) != null || Files.exists(single(stateDir, e));
    }

    /**
     * Forgets an entry; the caller holds the network's lock. A log left empty is deleted once its network is
     * gone (removed, or never made), so nothing of a removed network stays behind.
     */
    static void forget(Path stateDir, Entry e) {
        StateLog log = log(stateDir, e.network()).refresh();
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
