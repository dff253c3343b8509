package dev.patchbay.orchestrator.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.BackendException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A state log: two objects on one file stand for two processes. */
class StateLogTest {
    @TempDir
    Path state;

    Path file() {
        return state.resolve("d").resolve("x.log");
    }

    StateLog view() {
        return new StateLog(file(), Map.of("what", "a test"), null).refresh();
    }

    @Test
    void aViewSeesWhatAnotherAppendedAndOnlyReadsTheNewLines() {
        StateLog a = view();
        a.put("c1", "{\"n\":1}");
        StateLog b = view();
        assertEquals("{\"n\":1}", b.get("c1"));
        b.put("c2", "{\"n\":2}");
        b.remove("c1");
        List<String> told = new ArrayList<>();
        StateLog c = new StateLog(file(), Map.of(), new StateLog.Listener() {
            @Override public void reset() { told.add("reset"); }
            @Override public void put(String key, String json) { told.add("put " + key); }
            @Override public void remove(String key) { told.add("del " + key); }
        }).refresh();
        assertEquals(List.of("reset", "put c1", "put c2", "del c1"), told, "a listener is told every line, in order");
        a.refresh();
        assertEquals(Set.of("c2"), a.all().keySet());
        a.put("c3", "[]");
        c.refresh();
        assertEquals("put c3", told.get(told.size() - 1), "then only what was appended since");
    }

    @Test
    void aWriterWhoseViewIsBehindCatchesUpBeforeAppending() {
        StateLog a = view();
        StateLog b = view();
        a.put("c1", "1");
        b.put("c2", "2"); // b never refreshed: it must not write over a's line
        assertEquals(Set.of("c1", "c2"), view().all().keySet());
    }

    @Test
    void aLineACrashCutShortIsIgnoredThenCutOff() throws Exception {
        view().put("c1", "1");
        Files.writeString(file(), "{\"op\":\"put\",\"key\":\"c9\",\"va", StandardOpenOption.APPEND);
        StateLog b = view();
        assertEquals(Set.of("c1"), b.all().keySet());
        b.put("c2", "2");
        assertEquals(Set.of("c1", "c2"), view().all().keySet());
        String text = Files.readString(file());
        assertTrue(text.endsWith("\n") && !text.contains("c9"), text);
    }

    @Test
    void aHeaderACrashCutShortIsAnEmptyLog() throws Exception {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), "{\"op\":\"log\",\"ge");
        StateLog a = view();
        assertTrue(a.isEmpty());
        a.put("c1", "1");
        assertEquals(Set.of("c1"), view().all().keySet());
    }

    @Test
    void deadLinesAreRewrittenInANewGenerationThatOtherViewsReadWhole() throws Exception {
        StateLog a = view();
        StateLog b = view();
        a.put("keep", "{\"n\":0}");
        b.refresh();
        for (int i = 0; i < 2000; i++) {
            a.put("c", "{\"n\":" + i + "}");
            a.remove("c");
        }
        long size = Files.size(file());
        assertTrue(size < 64 * 1024, "rewritten: " + size);
        assertTrue(Files.readString(file()).startsWith("{\"op\":\"log\",\"gen\":") && Files.readString(file()).contains("a test"));
        b.refresh();
        assertEquals(Map.of("keep", "{\"n\":0}"), b.all());
        try (var files = Files.list(file().getParent())) {
            assertEquals(List.of(file()), files.toList(), "no temp file left");
        }
    }

    @Test
    void anEmptyLogIsDeletedAndAMissingOneIsEmpty() {
        StateLog a = view();
        a.put("c1", "1");
        a.deleteIfEmpty();
        assertTrue(Files.exists(file()), "not empty: kept");
        a.remove("c1");
        a.deleteIfEmpty();
        assertTrue(!Files.exists(file()));
        assertNull(view().get("c1"));
        a.put("c2", "2");
        assertEquals(Set.of("c2"), view().all().keySet());
    }

    @Test
    void aBrokenLineIsAnErrorNamingTheFile() throws Exception {
        view().put("c1", "1");
        Files.writeString(file(), "{\"op\":\"frobnicate\"}\n", StandardOpenOption.APPEND);
        BackendException e = assertThrows(BackendException.class, this::view);
        assertTrue(e.getMessage().contains(file().toString()) && e.getMessage().contains("frobnicate"), e.getMessage());
    }
}
