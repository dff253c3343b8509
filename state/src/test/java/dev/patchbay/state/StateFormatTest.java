package dev.patchbay.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Format versions of state files: a log of before formats is read and upgraded; a newer one is refused, not damage. */
class StateFormatTest {
    @TempDir
    Path state;

    /** A log as Patchbay wrote it before formats: a header without "format". */
    static final String UNVERSIONED = """
            {"op":"log","gen":77,"network":"web","note":"kept"}
            {"op":"put","key":"c1","value":{"n":1}}
            {"op":"put","key":"c2","value":{"n":2}}
            {"op":"del","key":"c1"}
            """;

    Path file() {
        return state.resolve("d").resolve("x.log");
    }

    private static JsonObject header(Path f) throws Exception {
        return JsonParser.parseString(Files.readAllLines(f).get(0)).getAsJsonObject();
    }

    @Test
    void theMemberSaysTheFormatAndNoneIsBeforeFormats() {
        Path f = Path.of("/s/networks/web.json");
        assertEquals(StateFormat.NONE, StateFormat.of(f, JsonParser.parseString("{\"a\":1}").getAsJsonObject()));
        assertEquals(1, StateFormat.of(f, JsonParser.parseString("{\"format\":1}").getAsJsonObject()));
        for (String bad : List.of("0", "-1", "1.5", "\"1\"", "null", "[1]")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> StateFormat.of(f, JsonParser.parseString("{\"format\":" + bad + "}").getAsJsonObject()), bad);
            assertTrue(e.getMessage().contains("not a whole number from 1"), e.getMessage());
        }
        NewerStateException newer = assertThrows(NewerStateException.class,
                () -> StateFormat.of(f, JsonParser.parseString("{\"format\":2}").getAsJsonObject()));
        assertEquals("state file \"/s/networks/web.json\" has format 2, written by a newer Patchbay (this one reads formats up to 1):"
                + " upgrade Patchbay, or restore the state folder as this version left it", newer.getMessage());
        assertEquals(1, newer.exitCode());
        JsonObject stamped = StateFormat.stamp(JsonParser.parseString("{\"a\":1,\"format\":7}").getAsJsonObject());
        assertEquals("{\"format\":1,\"a\":1}", stamped.toString(), "first, replacing one it had");
    }

    @Test
    void aLogOfBeforeFormatsIsReadAsItIsAndUpgradedByItsNextWrite() throws Exception {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), UNVERSIONED);
        StateLog a = new StateLog(file(), Map.of("network", "web"), null).refresh();
        assertEquals(Map.of("c2", "{\"n\":2}"), a.all(), "read as format 1");
        assertEquals(UNVERSIONED, Files.readString(file()), "reading changes nothing");
        Object inode = Files.getAttribute(file(), "unix:ino");
        a.put("c3", "{\"n\":3}");
        JsonObject h = header(file());
        assertEquals(1, h.get("format").getAsInt(), Files.readString(file()));
        assertEquals("kept", h.get("note").getAsString(), "what the old header said is kept");
        assertEquals("web", h.get("network").getAsString());
        assertNotEquals(77, h.get("gen").getAsLong(), "a new generation: other views read it whole");
        assertNotEquals(inode, Files.getAttribute(file(), "unix:ino"), "written anew (temp file, rename), not in place");
        StateLog b = new StateLog(file(), Map.of(), null).refresh();
        assertEquals(Map.of("c2", "{\"n\":2}", "c3", "{\"n\":3}"), b.all(), "nothing lost");
        int lines = Files.readAllLines(file()).size();
        a.put("c4", "1");
        assertEquals(lines + 1, Files.readAllLines(file()).size(), "then appended to as before");
    }

    @Test
    void anUpgradeIsATempFileRenamedOverTheLog() throws Exception {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), UNVERSIONED);
        try (FileChannel old = FileChannel.open(file(), StandardOpenOption.READ)) {
            StateLog a = new StateLog(file(), Map.of(), null);
            assertTrue(a.upgrade());
            ByteBuffer b = ByteBuffer.allocate(4096);
            old.read(b, 0);
            assertEquals(UNVERSIONED, new String(b.array(), 0, b.position(), StandardCharsets.UTF_8),
                    "the old file was never changed: a reader (or a crash) sees it whole, or the new one");
            assertFalse(a.upgrade(), "once");
        }
        try (var files = Files.list(file().getParent())) {
            assertEquals(List.of("x.log"), files.map(p -> p.getFileName().toString()).toList(), "no temp file left");
        }
        assertEquals(Map.of("c2", "{\"n\":2}"), new StateLog(file(), Map.of(), null).refresh().all());
    }

    @Test
    void anUpgradeTheFileSystemRefusesLeavesTheLogWholeAndStillTakesTheLine() throws Exception {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), UNVERSIONED);
        // the rewrite's temp file cannot be made (a full disk, say): a folder stands where it goes
        Path tmp = file().resolveSibling(".x.log." + ProcessHandle.current().pid() + "." + Thread.currentThread().getId() + ".tmp");
        Files.createDirectory(tmp);
        Files.writeString(tmp.resolve("in the way"), "");
        StateLog a = new StateLog(file(), Map.of(), null).refresh();
        a.put("c3", "3");
        assertEquals(UNVERSIONED + "{\"op\":\"put\",\"key\":\"c3\",\"value\":3}\n", Files.readString(file()),
                "appended as before: the line is not lost, the log not cut");
        Files.delete(tmp.resolve("in the way"));
        Files.delete(tmp);
        a.put("c4", "4");
        assertEquals(1, header(file()).get("format").getAsInt(), "a later write upgrades it");
        assertEquals(Map.of("c2", "{\"n\":2}", "c3", "3", "c4", "4"), new StateLog(file(), Map.of(), null).refresh().all());
    }

    @Test
    void aNewLogCarriesTheFormat() throws Exception {
        new StateLog(file(), Map.of("network", "web"), null).refresh().put("k", "1");
        assertEquals(1, header(file()).get("format").getAsInt());
        assertFalse(new StateLog(file(), Map.of(), null).upgrade(), "current: nothing to do");
    }

    @Test
    void aDamagedLogOfBeforeFormatsIsLeftForRepairWhichWritesTheFormat() throws Exception {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), UNVERSIONED + "not json\n");
        StateLog a = new StateLog(file(), Map.of(), null);
        assertFalse(a.upgrade());
        assertEquals(UNVERSIONED + "not json\n", Files.readString(file()));
        a.repair();
        assertEquals(1, header(file()).get("format").getAsInt());
    }

    @Test
    void aNewerLogIsRefusedNamingItNeverReadInPartRepairedOrRewritten() throws Exception {
        Files.createDirectories(file().getParent());
        String newer = """
                {"op":"log","gen":5,"format":2}
                {"op":"patch","key":"c1","ops":[]}
                not what this build reads
                """;
        Files.writeString(file(), newer);
        StateLog a = new StateLog(file(), Map.of(), null);
        for (Runnable r : List.<Runnable>of(a::refresh, a::refreshReadable, () -> a.put("k", "1"), a::repair,
                a::upgrade, a::deleteIfEmpty)) {
            NewerStateException e = assertThrows(NewerStateException.class, r::run);
            assertEquals(file(), e.file());
            assertEquals("2", e.format());
            assertTrue(e.getMessage().contains("\"" + file() + "\" has format 2") && e.getMessage().contains("reads formats up to 1")
                    && e.getMessage().contains("upgrade Patchbay"), e.getMessage());
            assertEquals(newer, Files.readString(file()), "nothing changed");
        }
        a.remove("c1"); // a key this view does not hold (it read nothing): nothing to do
        assertEquals(newer, Files.readString(file()));
        assertTrue(a.damage().isEmpty(), "not damage");
        assertTrue(a.all().isEmpty(), "nothing read of it");
        try (var files = Files.list(file().getParent())) {
            assertEquals(Set.of("x.log"), Set.copyOf(files.map(p -> p.getFileName().toString()).toList()), "nothing set aside");
        }
    }

    @Test
    void aNewerLogWrittenOverAViewIsRefusedAtItsNextRead() throws Exception {
        StateLog a = new StateLog(file(), Map.of(), null).refresh();
        a.put("k", "1");
        Files.writeString(file(), "{\"op\":\"log\",\"gen\":9,\"format\":3}\n");
        assertEquals("3", assertThrows(NewerStateException.class, a::refresh).format());
    }

    @Test
    void refuseNewerLooksAtEveryFileOfAFolder() throws Exception {
        Path dir = state.resolve("networks");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("a.json"), "{\"name\":\"a\"}");
        Files.writeString(dir.resolve("b.json"), "{\"format\":1}\n");
        Files.writeString(dir.resolve("c.json"), "not json");
        Files.writeString(dir.resolve("e.json"), "{\n  \"format\": 4\n}\n");
        StateFormat.refuseNewer(state.resolve("none"), "*.json");
        NewerStateException e = assertThrows(NewerStateException.class, () -> StateFormat.refuseNewer(dir, "*.json"));
        assertEquals(dir.resolve("e.json"), e.file(), "a record over several lines too");
        Files.delete(dir.resolve("e.json"));
        StateFormat.refuseNewer(dir, "*.json");
    }
}
