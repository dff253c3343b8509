package dev.patchbay.services;

import dev.patchbay.state.FileLocks;
import dev.patchbay.state.Json;
import dev.patchbay.state.StateLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Service creates in flight: {@code services/journal.log}, a {@link StateLog} with one entry per create, written under the
 * services' lock before the create changes anything (and again once its VIPs are reserved), removed when it completed or
 * was rolled back. An entry seen under the services' lock therefore names a create whose process died in the middle:
 * {@code gc} undoes what it may have made ({@link Services#recover}): its rules, its VIPs on the bridge, their reservation.
 */
final class ServiceJournal {
    /** A create begun: the service's name, network and host namespace (as {@code -n} names it), the VIPs once reserved. */
    record Pending(String name, String network, String host, List<String> vips) {
        Pending {
            vips = vips == null ? List.of() : List.copyOf(vips);
        }
    }

    private final Path dir;

    ServiceJournal(Path stateDir) {
        this.dir = stateDir.resolve("services");
    }

    private StateLog log() {
        return StateLog.shared(dir.resolve("journal.log"), Map.of("what", "patchbay service creates in flight")).refresh();
    }

    void begin(Pending p) {
        log().put(p.name(), Json.compact().toJson(p));
    }

    void end(String name) {
        log().remove(name);
    }

    /** The entries of creates that are over (their process died): read under a shared services' lock, a create in flight finishes first. */
    List<Pending> settled() {
        if (!java.nio.file.Files.exists(dir.resolve("journal.log"))) {
            return List.of();
        }
        return FileLocks.readLocked(dir.resolve("services.lock"), this::all);
    }

    /** Every entry; the caller holds the services' lock. */
    List<Pending> all() {
        List<Pending> out = new ArrayList<>();
        log().all().values().forEach(json -> out.add(Json.compact().fromJson(json, Pending.class)));
        return out;
    }
}
