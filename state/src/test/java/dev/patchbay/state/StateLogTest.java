package dev.patchbay.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.BackendException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
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

    /** A full disk refuses the rewrite (here: its temp file's name is a folder); the line appended before it stands. */
    @Test
    void aRewriteTheFileSystemRefusesFailsNoAppend() throws Exception {
        StateLog a = view();
        a.put("keep", "{\"n\":0}");
        Path tmp = file().resolveSibling("." + file().getFileName() + "." + ProcessHandle.current().pid() + "."
                + Thread.currentThread().getId() + ".tmp");
        Files.createDirectories(tmp.resolve("in-the-way"));
        for (int i = 0; i < 2000; i++) {
            a.put("c", "{\"n\":" + i + "}"); // past 64 KiB every append tries the rewrite, and is refused
            a.remove("c");
        }
        a.put("last", "{\"n\":1}");
        assertTrue(Files.size(file()) > 64 * 1024, "not rewritten");
        assertEquals(Map.of("keep", "{\"n\":0}", "last", "{\"n\":1}"), view().all(), "every change is in the file");
        assertEquals(view().all(), a.all(), "and in the writer's view");
        Files.delete(tmp.resolve("in-the-way"));
        Files.delete(tmp);
        a.put("after", "2"); // room again: the next append compacts
        assertTrue(Files.size(file()) < 64 * 1024, "rewritten once it can be");
        assertEquals(Set.of("keep", "last", "after"), view().all().keySet());
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

    void append(String text) throws Exception {
        Files.writeString(file(), text, StandardOpenOption.APPEND);
    }

    static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    /** Three entries on lines 2-4, under the header on line 1. */
    void threeEntries() {
        StateLog a = view();
        a.put("c1", "1");
        a.put("c2", "2");
        a.put("c3", "3");
    }

    @Test
    void aTornLastLineIsNoDamageAndAWriterUnderTheLockSeesIt() throws Exception {
        threeEntries();
        append("{\"op\":\"put\",\"key\":\"c9\"");
        StateLog b = view();
        assertEquals(List.of(), b.damage());
        assertEquals(22, b.torn(), "the cut line's bytes: a writer died mid-append");
        b.put("c4", "4");
        assertEquals(0, b.torn());
        assertEquals(Set.of("c1", "c2", "c3", "c4"), view().all().keySet());
    }

    @Test
    void aCompleteGarbledLastLineIsDamageWithItsLineNumber() throws Exception {
        threeEntries();
        append("{\"op\":\"put\",\"key\":\"c4\",\"va\n"); // ends with its newline: not a torn append
        StateLog b = new StateLog(file(), Map.of(), null);
        DamagedStateException e = assertThrows(DamagedStateException.class, b::refresh);
        assertEquals(List.of(new StateLog.Damage(file(), 5, "is not valid JSON (at character 27): \"{\\\"op\\\":\\\"put\\\",\\\"key\\\":\\\"c4\\\",\\\"va\"")),
                e.damage());
        assertEquals("state file \"" + file() + "\" is damaged: line 5 is not valid JSON (at character 27): "
                + "\"{\\\"op\\\":\\\"put\\\",\\\"key\\\":\\\"c4\\\",\\\"va\"", e.getMessage());
        assertEquals(Set.of("c1", "c2", "c3"), b.all().keySet(), "the view still holds every readable line");
        assertEquals(0, b.torn());
    }

    @Test
    void aGarbledMiddleLineIsDamageAndTheLinesAfterItAreStillRead() throws Exception {
        view().put("c1", "1");
        append("{\"op\":\"put\",\"key\":\"c2\",\u0000\u0000\u0000\n");
        StateLog w = new StateLog(file(), Map.of(), null);
        assertThrows(DamagedStateException.class, w::refresh);
        w.put("c3", "3"); // a writer that goes on knowingly: appends after the damage, which stays
        StateLog b = new StateLog(file(), Map.of(), null).refreshReadable();
        assertEquals(Set.of("c1", "c3"), b.all().keySet());
        assertEquals(1, b.damage().size());
        assertEquals(3, b.damage().get(0).line());
        assertTrue(b.damage().get(0).problem().startsWith("is not valid JSON (at character 25): "), b.damage().get(0).problem());
        assertTrue(b.damage().get(0).problem().contains("\\u0000"), "control characters are shown escaped");
    }

    @Test
    void eachKindOfDamageIsNamedInWordsWithoutJavaNames() throws Exception {
        view().put("c1", "1");
        Files.write(file(), new byte[] {'{', '"', (byte) 0xff, '"', '}', '\n'}, StandardOpenOption.APPEND);
        append("{op:\"put\",key:\"c2\",value:1}\n"); // gson reads this leniently; it is not JSON
        append("{\"op\":\"put\",\"key\":\"c3\",\"value\":1} trailing\n");
        append("[1,2]\n");
        append("\n");
        append("{\"key\":\"c4\"}\n");
        append("{\"op\":\"frobnicate\",\"key\":\"c5\"}\n");
        append("{\"op\":\"put\",\"value\":1}\n");
        append("{\"op\":\"put\",\"key\":7,\"value\":1}\n");
        append("{\"op\":\"put\",\"key\":\"c6\"}\n");
        append("{\"op\":\"log\",\"gen\":5}\n");
        append("{\"op\":\"put\",\"key\":\"c7\",\"value\":7}\n");
        StateLog b = new StateLog(file(), Map.of(), null).refreshReadable();
        assertEquals(Set.of("c1", "c7"), b.all().keySet());
        List<String> got = b.damage().stream().map(d -> d.line() + " " + d.problem().replaceAll(": \".*", "")).toList();
        assertEquals(List.of("3 holds bytes that are not UTF-8 text", "4 is not valid JSON (at character 3)",
                "5 is not valid JSON (at character 36)", "6 is not a JSON object", "7 is empty", "8 has no \"op\"",
                "9 has an unknown op \"frobnicate\"", "10 is a \"put\" without a \"key\" string",
                "11 is a \"put\" without a \"key\" string", "12 is a \"put\" without a \"value\"",
                "13 is a second log header"), got);
        String message = assertThrows(DamagedStateException.class, b::refresh).getMessage();
        assertTrue(!message.contains("Exception") && !message.contains("com.google") && !message.contains("\n"), message);
    }

    @Test
    void aFirstLineThatIsNoHeaderIsDamageAndTheLogIsNotStartedAnewOverIt() throws Exception {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), "garbage\n{\"op\":\"put\",\"key\":\"c1\",\"value\":1}\n");
        StateLog a = new StateLog(file(), Map.of(), null).refreshReadable();
        assertEquals(1, a.damage().get(0).line());
        assertTrue(a.damage().get(0).problem().startsWith("is not valid JSON"), a.damage().get(0).problem());
        assertEquals(Set.of("c1"), a.all().keySet());
        a.put("c2", "2");
        String text = Files.readString(file());
        assertTrue(text.startsWith("garbage\n") && text.contains("\"c1\"") && text.contains("\"c2\""), text);
        Files.writeString(file(), "{\"op\":\"log\"}\n");
        assertEquals("is not a log header (the first line must be {\"op\":\"log\",\"gen\":N,...}): \"{\\\"op\\\":\\\"log\\\"}\"",
                new StateLog(file(), Map.of(), null).refreshReadable().damage().get(0).problem());
    }

    @Test
    void damageAppendedByAnotherProcessIsSeenOnTheNextReadWithItsLineNumber() throws Exception {
        StateLog a = view();
        a.put("c1", "1");
        a.put("c2", "2");
        append("}\n");
        a.put("c3", "3"); // catches up first: reads line 4 as damage, appends line 5
        append("{\n");
        DamagedStateException e = assertThrows(DamagedStateException.class, a::refresh);
        assertEquals(List.of(4, 6), e.damage().stream().map(StateLog.Damage::line).toList());
        assertEquals(Set.of("c1", "c2", "c3"), a.all().keySet());
    }

    @Test
    void aDamagedLogIsNeitherCompactedNorDeletedUntilRepaired() throws Exception {
        StateLog a = view();
        a.put("gone", "1");
        append("not json\n");
        a.refreshReadable();
        a.remove("gone");
        for (int i = 0; i < 2000; i++) {
            a.put("c", "{\"n\":" + i + "}");
            a.remove("c");
        }
        assertTrue(Files.size(file()) > 64 * 1024, "not compacted while damaged");
        a.deleteIfEmpty();
        assertTrue(Files.exists(file()), "no key, but damage: kept");
        assertEquals(3, a.damage().get(0).line());

        a.put("kept", "{\"n\":1}");
        Path copy = a.repair();
        assertTrue(copy.getFileName().toString().matches("x\\.log\\.damaged-\\d{8}T\\d{6}Z"), copy.toString());
        assertTrue(Files.readString(copy).contains("not json\n"), "the damaged file is kept for the operator");
        assertEquals("rw-------", mode(copy));
        assertEquals(List.of(), a.damage());
        StateLog b = view();
        assertEquals(Map.of("kept", "{\"n\":1}"), b.all());
        assertTrue(Files.size(file()) < 1024, "rewritten from the readable lines");
        assertNull(b.repair(), "nothing left to repair");
        b.remove("kept");
        b.deleteIfEmpty();
        assertFalse(Files.exists(file()));
    }

    @Test
    void filesAre0600InFolders0700AndOldOnesAreNarrowedByAWriter() throws Exception {
        view().put("c1", "1");
        assertEquals("rwx------", mode(file().getParent()));
        assertEquals("rw-------", mode(file()));
        Files.setPosixFilePermissions(file(), PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(file().getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        StateLog reader = view();
        assertEquals("rw-r--r--", mode(file()), "a reader changes nothing");
        reader.put("c2", "2");
        assertEquals("rw-------", mode(file()));
        assertEquals("rwx------", mode(file().getParent()));
    }

    @Test
    void readingALogThatDoesNotExistCreatesNothing() {
        StateLog a = view();
        assertTrue(a.isEmpty());
        a.remove("c1");
        a.deleteIfEmpty();
        assertFalse(Files.exists(file().getParent()), "no folder, no file");
    }

    @Test
    void aBrokenLineIsAnErrorNamingTheFile() throws Exception {
        view().put("c1", "1");
        Files.writeString(file(), "{\"op\":\"frobnicate\"}\n", StandardOpenOption.APPEND);
        BackendException e = assertThrows(BackendException.class, this::view);
        assertTrue(e.getMessage().contains(file().toString()) && e.getMessage().contains("frobnicate"), e.getMessage());
    }
}
