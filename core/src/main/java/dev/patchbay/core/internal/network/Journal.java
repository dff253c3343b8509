package dev.patchbay.core.internal.network;

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
 * undoing a step that never happened finds nothing and is done. One write, no fsync: a killed process
 * loses nothing (the page cache survives it), and what a power loss could lose — links, namespaces,
 * rules — does not survive a reboot either. A torn entry (the process died while writing it) names an
 * operation that had not started.
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

    private final Path file;

    private Journal(Path file) {
        this.file = file;
    }

    static Journal begin(Path stateDir, String op, String network, String containerId, String hostNetns, List<Step> steps) {
        String id = op + "-" + UUID.randomUUID();
        Path file = stateDir.resolve("journal").resolve(id + ".json");
        StateFiles.create(file, new Entry(id, op, network, containerId, hostNetns, List.copyOf(steps)));
        return new Journal(file);
    }

    /** The operation completed (or was rolled back): forget it. */
    void done() {
        StateFiles.delete(file);
    }

    /** Entries of operations in flight; torn entries are dropped (their operation never began). */
    static List<Entry> pending(Path stateDir) {
        List<Entry> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(stateDir.resolve("journal"), "*.json")) {
            for (Path p : ds) {
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

    /** True while the entry {@code id} is on disk: its operation has not finished (or died). */
    static boolean exists(Path stateDir, String id) {
        return Files.exists(stateDir.resolve("journal").resolve(id + ".json"));
    }

    static void forget(Path stateDir, String id) {
        StateFiles.delete(stateDir.resolve("journal").resolve(id + ".json"));
    }
}
