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
 * Operations in flight. Each step is recorded before it is taken, so that after a crash at any point
 * {@code patchbay gc} knows what may exist and undoes (attach, create) or finishes (detach, remove)
 * the operation. Written without fsync: a killed process loses nothing (the page cache survives it),
 * and what a power loss could lose — links, namespaces, rules — does not survive a reboot either.
 */
final class Journal implements AutoCloseable {
    /** One operation's record. */
    record Entry(String id, String op, String network, String containerId, String hostNetns, List<Step> steps) {
    }

    /** One step: what it creates, with what is needed to undo it. */
    record Step(String kind, Map<String, String> data) {
    }

    private final Path file;
    private final Entry entry;
    private boolean done;

    private Journal(Path file, Entry entry) {
        this.file = file;
        this.entry = entry;
    }

    static Journal begin(Path stateDir, String op, String network, String containerId, String hostNetns) {
        String id = op + "-" + UUID.randomUUID();
        Journal j = new Journal(stateDir.resolve("journal").resolve(id + ".json"),
                new Entry(id, op, network, containerId, hostNetns, new ArrayList<>()));
        j.flush();
        return j;
    }

    /** Records that {@code kind} is about to happen. */
    void step(String kind, Map<String, String> data) {
        entry.steps().add(new Step(kind, Map.copyOf(data)));
        flush();
    }

    /** The operation completed (or was rolled back): forget it. */
    void done() {
        done = true;
        StateFiles.delete(file);
    }

    /** A journal not marked done stays on disk for gc to find. */
    @Override
    public void close() {
        // intentionally nothing: an unfinished entry is what recovery reads
    }

    boolean isDone() {
        return done;
    }

    private void flush() {
        StateFiles.write(file, entry);
    }

    static List<Entry> pending(Path stateDir) {
        List<Entry> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(stateDir.resolve("journal"), "*.json")) {
            for (Path p : ds) {
                StateFiles.read(p, Entry.class).ifPresent(out::add);
            }
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            throw new dev.patchbay.core.errors.BackendException("failed to read the journal: " + e.getMessage(), e);
        }
        return out;
    }

    static void forget(Path stateDir, String id) {
        StateFiles.delete(stateDir.resolve("journal").resolve(id + ".json"));
    }
}
