package dev.patchbay.services;

import dev.patchbay.state.FileLocks;
import dev.patchbay.state.Json;
import dev.patchbay.state.StateLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The services of one state directory: {@code services/services.log}, a {@link StateLog} (one JSON record per service,
 * appended, crash-safe as the network records are), changed only under {@code services/services.lock}.
 */
final class ServiceStore {
    private final Path dir;

    ServiceStore(Path stateDir) {
        this.dir = stateDir.resolve("services");
    }

    private StateLog log() {
        return StateLog.shared(dir.resolve("services.log"), Map.of("what", "patchbay services")).refresh();
    }

    /** Runs {@code action} holding the services' lock: one change at a time, across processes. */
    <T> T locked(Supplier<T> action) {
        return FileLocks.locked(dir.resolve("services.lock"), action);
    }

    List<ServiceRecord> list() {
        List<ServiceRecord> out = new ArrayList<>();
        log().all().values().forEach(json -> out.add(Json.compact().fromJson(json, ServiceRecord.class)));
        return out;
    }

    Optional<ServiceRecord> find(String name) {
        String json = log().get(name);
        return json == null ? Optional.empty() : Optional.of(Json.compact().fromJson(json, ServiceRecord.class));
    }

    void put(ServiceRecord r) {
        log().put(r.name(), Json.compact().toJson(r));
    }

    void remove(String name) {
        log().remove(name);
    }
}
