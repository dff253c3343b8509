package dev.patchbay.services;

import dev.patchbay.state.FileLocks;
import dev.patchbay.state.Json;
import dev.patchbay.state.StateLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The services of one state directory: {@code services/services.log}, a {@link StateLog} (crash-safe as the network
 * records are), changed only under {@code services/services.lock}. Key {@code NAME} holds a service's record without
 * its backends, key {@code NAME/NETNS:PORT} each backend with its place in the list ({@link Slot}), so one backend more,
 * less or marked down appends one short line, whatever the number of the others. A record of before (its backends in
 * its own line) is read as it is, and split at its next change. This process keeps one parsed view of each log, brought
 * up to date with what others appended: reading a service parses no more than the lines new since.
 */
final class ServiceStore {
    /** A backend as recorded: {@code seq} orders the service's backends (their order in its list). */
    record Slot(long seq, ServiceRecord.Backend backend) {
    }

    private static final Map<Path, View> VIEWS = new ConcurrentHashMap<>();

    private final Path dir;

    ServiceStore(Path stateDir) {
        this.dir = stateDir.resolve("services");
    }

    private View view() {
        return VIEWS.computeIfAbsent(dir.resolve("services.log").toAbsolutePath().normalize(), View::new);
    }

    /** Forgets this process's parsed views (tests: as another process would start). */
    static void forgetViews() {
        VIEWS.clear();
    }

    /** Runs {@code action} holding the services' lock: one change at a time, across processes. */
    <T> T locked(Supplier<T> action) {
        return FileLocks.locked(dir.resolve("services.lock"), action);
    }

    List<ServiceRecord> list() {
        View v = view();
        synchronized (v) {
            v.log.refresh();
            List<ServiceRecord> out = new ArrayList<>();
            v.records.keySet().forEach(name -> out.add(v.assembled(name)));
            return out;
        }
    }

    Optional<ServiceRecord> find(String name) {
        View v = view();
        synchronized (v) {
            v.log.refresh();
            return Optional.ofNullable(v.assembled(name));
        }
    }

    /**
     * Records {@code r}, writing only what changed since the recorded one: its backends' lines that are new, changed or
     * gone, its own line only if something but its backends changed. The caller holds the lock.
     */
    void put(ServiceRecord r) {
        View v = view();
        synchronized (v) {
            v.log.refresh();
            Map<String, Slot> held = new HashMap<>(v.slots.getOrDefault(r.name(), Map.of()));
            long next = held.values().stream().mapToLong(Slot::seq).max().orElse(0) + 1;
            long last = 0;
            Map<String, ServiceRecord.Backend> now = new LinkedHashMap<>();
            r.backends().forEach(b -> now.put(key(r.name(), b), b));
            for (Map.Entry<String, ServiceRecord.Backend> b : now.entrySet()) {
                Slot s = held.remove(b.getKey());
                if (s == null || s.seq() <= last || !s.backend().equals(b.getValue())) {
                    s = new Slot(s == null || s.seq() <= last ? next++ : s.seq(), b.getValue()); // new, changed, or out of its order
                    v.log.put(b.getKey(), Json.compact().toJson(s));
                }
                last = s.seq();
            }
            for (String gone : held.keySet()) {
                v.log.remove(gone);
            }
            ServiceRecord own = r.withBackends(List.of());
            if (!own.equals(v.records.get(r.name()))) { // new, changed, or of before (its backends in its line)
                v.log.put(r.name(), Json.compact().toJson(own));
            }
        }
    }

    /** Forgets service {@code name}: its backends' lines, then its own. The caller holds the lock. */
    void remove(String name) {
        View v = view();
        synchronized (v) {
            v.log.refresh();
            for (String k : new ArrayList<>(v.slots.getOrDefault(name, Map.of()).keySet())) {
                v.log.remove(k);
            }
            v.log.remove(name);
        }
    }

    private static String key(String service, ServiceRecord.Backend b) {
        return service + "/" + b.netns() + ":" + b.port();
    }

    /** One log, parsed: records by name (service names hold no '/'), backends by service, then by key. */
    private static final class View implements StateLog.Listener {
        final StateLog log;
        final Map<String, ServiceRecord> records = new TreeMap<>();
        final Map<String, Map<String, Slot>> slots = new HashMap<>();

        View(Path file) {
            this.log = new StateLog(file, Map.of("what", "patchbay services"), this);
        }

        @Override
        public void reset() {
            records.clear();
            slots.clear();
        }

        @Override
        public void put(String key, String json) {
            int slash = key.indexOf('/');
            if (slash < 0) {
                records.put(key, Json.compact().fromJson(json, ServiceRecord.class));
            } else {
                slots.computeIfAbsent(key.substring(0, slash), k -> new HashMap<>()).put(key, Json.compact().fromJson(json, Slot.class));
            }
        }

        @Override
        public void remove(String key) {
            int slash = key.indexOf('/');
            if (slash < 0) {
                records.remove(key);
                return;
            }
            Map<String, Slot> of = slots.get(key.substring(0, slash));
            if (of != null) {
                of.remove(key);
            }
        }

        /**
         * Service {@code name} with its backends: those in its own line (a record of before) but those also recorded on
         * their own (a split cut short by a crash), then the others in their order; null when it has no record.
         */
        ServiceRecord assembled(String name) {
            ServiceRecord r = records.get(name);
            if (r == null) {
                return null;
            }
            Map<String, Slot> own = slots.getOrDefault(name, Map.of());
            List<ServiceRecord.Backend> bs = new ArrayList<>();
            r.backends().stream().filter(b -> !own.containsKey(key(name, b))).forEach(bs::add);
            own.values().stream().sorted((a, b) -> Long.compare(a.seq(), b.seq())).forEach(s -> bs.add(s.backend()));
            return r.withBackends(bs);
        }
    }
}
