package dev.patchbay.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.state.Json;
import dev.patchbay.state.StateLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceStoreTest {
    @TempDir
    Path state;

    @AfterEach
    void forget() {
        ServiceStore.forgetViews();
    }

    private static ServiceRecord.Backend backend(int i) {
        return new ServiceRecord.Backend("c" + (1000 + i), "c" + (1000 + i), "10.88." + (i / 250) + "." + (i % 250 + 2), 80);
    }

    private static ServiceRecord service(String name, int backends) {
        List<ServiceRecord.Backend> bs = new ArrayList<>();
        for (int i = 0; i < backends; i++) {
            bs.add(backend(i));
        }
        return new ServiceRecord(name, "web", "", "10.88.9.9", 80, "tcp", "round-robin", bs);
    }

    private Path log() {
        return state.resolve("services").resolve("services.log");
    }

    /** What a change appended to the log: its lines and bytes (it was not rewritten: the old content is still its start). */
    private long[] appended(Runnable change) throws IOException {
        byte[] before = Files.readAllBytes(log());
        change.run();
        byte[] after = Files.readAllBytes(log());
        assertTrue(after.length > before.length && java.util.Arrays.equals(before, java.util.Arrays.copyOf(after, before.length)),
                "the log was appended to, not rewritten");
        long lines = new String(after, before.length, after.length - before.length, java.nio.charset.StandardCharsets.UTF_8).chars().filter(c -> c == '\n').count();
        return new long[] {lines, after.length - before.length};
    }

    @Test
    void aBackendMoreLessOrDownIsOneLineOfTheSameSizeWithAHundredOthersAsWithOne() throws IOException {
        ServiceStore store = new ServiceStore(state);
        ServiceRecord one = service("a", 1);
        ServiceRecord many = service("b", 100);
        store.locked(() -> {
            store.put(one);
            store.put(many);
            return null;
        });
        ServiceRecord.Backend extra = new ServiceRecord.Backend("x9", "x9", "10.88.3.3", 80);
        List<long[]> small = new ArrayList<>();
        List<long[]> large = new ArrayList<>();
        for (var pair : List.of(List.of(one, small), List.of(many, large))) {
            ServiceRecord r = (ServiceRecord) pair.get(0);
            @SuppressWarnings("unchecked") List<long[]> out = (List<long[]>) pair.get(1);
            List<ServiceRecord.Backend> more = new ArrayList<>(r.backends());
            more.add(extra);
            ServiceRecord added = r.withBackends(more);
            out.add(appended(() -> store.put(added)));
            assertEquals(added, store.find(r.name()).orElseThrow(), "read back in order, the new one last");
            List<ServiceRecord.Backend> down = new ArrayList<>(more);
            down.set(0, down.get(0).withDown(true));
            out.add(appended(() -> store.put(added.withBackends(down))));
            assertTrue(store.find(r.name()).orElseThrow().backends().get(0).down());
            out.add(appended(() -> store.put(added)));
            out.add(appended(() -> store.put(r)));
            assertEquals(r, store.find(r.name()).orElseThrow());
        }
        for (int i = 0; i < 4; i++) { // added, one down, up again, removed
            assertEquals(1, small.get(i)[0], "one line for change " + i + " of a service of 1");
            assertEquals(1, large.get(i)[0], "one line for change " + i + " of a service of 100");
            assertTrue(Math.abs(large.get(i)[1] - small.get(i)[1]) <= 4, "the same bytes (but the digits of the backend's place): "
                    + large.get(i)[1] + " against " + small.get(i)[1]);
        }
        ServiceStore.forgetViews(); // another process reads the same
        assertEquals(List.of(one, many), new ServiceStore(state).list());
    }

    @Test
    void aRecordOfBeforeWithItsBackendsInItsLineIsReadThenSplitAtItsNextChange() {
        ServiceRecord old = service("api", 2);
        StateLog raw = new StateLog(log(), Map.of(), null);
        raw.refresh().put("api", Json.compact().toJson(old));
        ServiceStore store = new ServiceStore(state);
        assertEquals(old, store.find("api").orElseThrow());
        List<ServiceRecord.Backend> more = new ArrayList<>(old.backends());
        more.add(backend(7));
        store.locked(() -> {
            store.put(old.withBackends(more));
            return null;
        });
        raw.refresh();
        assertEquals(Json.compact().toJson(old.withBackends(List.of())), raw.get("api"), "its own line without its backends");
        assertEquals(List.of("api", "api/c1000:80", "api/c1001:80", "api/c1007:80"), List.copyOf(raw.all().keySet()));
        ServiceStore.forgetViews();
        assertEquals(old.withBackends(more), new ServiceStore(state).find("api").orElseThrow());
    }

    @Test
    void aRemovedServiceLeavesNoLineAndBackendsWithoutARecordAreNoService() {
        ServiceStore store = new ServiceStore(state);
        store.locked(() -> {
            store.put(service("api", 3));
            store.remove("api");
            return null;
        });
        StateLog raw = new StateLog(log(), Map.of(), null);
        assertEquals(Map.of(), raw.refresh().all());
        raw.put("api/c1005:80", Json.compact().toJson(new ServiceStore.Slot(4, backend(5)))); // a removal cut short by a crash
        ServiceStore.forgetViews();
        assertEquals(List.of(), store.list());
        assertTrue(store.find("api").isEmpty());
        store.locked(() -> {
            store.put(service("api", 1)); // created again: the leftover goes
            return null;
        });
        assertEquals(service("api", 1), store.find("api").orElseThrow());
        assertEquals(List.of("api", "api/c1000:80"), List.copyOf(raw.refresh().all().keySet()));
    }

    @Test
    void backendsGivenInAnotherOrderAreRecordedInIt() {
        ServiceStore store = new ServiceStore(state);
        ServiceRecord r = service("api", 3);
        List<ServiceRecord.Backend> turned = new ArrayList<>(r.backends());
        java.util.Collections.reverse(turned);
        store.locked(() -> {
            store.put(r);
            store.put(r.withBackends(turned));
            return null;
        });
        assertEquals(turned, store.find("api").orElseThrow().backends());
        ServiceStore.forgetViews();
        assertEquals(turned, store.find("api").orElseThrow().backends());
    }
}
