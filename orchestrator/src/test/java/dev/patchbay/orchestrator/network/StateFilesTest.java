package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.network.NetworkConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Network records: written whole and root's only; a record that cannot be read is named with what is wrong, in words. */
class StateFilesTest {
    @TempDir
    Path dir;

    private NetworkRecord record(String name) {
        return new NetworkRecord(new NetworkConfig(name, "bridge", List.of("firewall"), IpPrefix.parse("10.9.0.0/24"), null, null, null,
                Map.of("bridge", "pb-" + name)), "boot/42", "namespace \"h\"", "netns:h");
    }

    @Test
    void writtenWholeAndRootsOnly() throws Exception {
        NetworkStore store = new NetworkStore(dir);
        store.save(record("web"));
        Path file = dir.resolve("networks/web.json");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        assertEquals(record("web"), store.network("web").orElseThrow());
        try (var files = Files.list(file.getParent())) {
            assertEquals(List.of("web.json"), files.map(p -> p.getFileName().toString()).toList(), "no temp file left");
        }
    }

    @Test
    void damageIsNamedInWordsAndConcernsItsNetworkOnly() throws Exception {
        NetworkStore store = new NetworkStore(dir);
        store.save(record("web"));
        store.save(record("db"));
        store.save(record("x"));
        Path web = dir.resolve("networks/web.json");
        byte[] whole = Files.readAllBytes(web);
        Map<String, byte[]> cases = Map.of(
                "is empty (0 bytes)", new byte[0],
                "is cut short", Arrays.copyOf(whole, whole.length / 2),
                "is cut short (", Arrays.copyOf(whole, 20),
                "is not valid JSON (at character 7)", "{\"a\" 1}".getBytes(StandardCharsets.UTF_8),
                "holds bytes that are not UTF-8 text", new byte[] {'{', (byte) 0xff, '}'},
                "does not hold a network", "{}".getBytes(StandardCharsets.UTF_8),
                "holds network \"db\", not \"web\"", Files.readAllBytes(dir.resolve("networks/db.json")));
        for (Map.Entry<String, byte[]> c : cases.entrySet()) {
            Files.write(web, c.getValue());
            DamagedNetworkException e = assertThrows(DamagedNetworkException.class, () -> store.network("web"));
            assertTrue(e.getMessage().contains(web.toString()) && e.getMessage().contains(c.getKey()) && e.getMessage().contains("gc --repair"),
                    e.getMessage());
            for (String bad : List.of("Exception", "java.", "gson", "$.")) {
                assertFalse(e.getMessage().contains(bad), e.getMessage());
            }
            assertEquals(List.of("db", "x"), store.networks().stream().map(NetworkRecord::name).toList(), "the others are read");
            assertEquals(List.of("web"), store.damaged().stream().map(DamagedNetworkException::network).toList());
        }
    }

    @Test
    void parseNamesWhatIsWrong() throws Exception {
        Path f = dir.resolve("f.json");
        Files.writeString(f, "{\"a\":1}\n");
        assertEquals(1, StateFiles.readObject(f).map(o -> o.get("a").getAsInt()).orElseThrow());
        Files.writeString(f, "{\"a\":1} {}");
        assertTrue(assertThrows(StateFiles.Unreadable.class, () -> StateFiles.readObject(f)).problem().contains("more after"));
        Files.writeString(f, "[1]");
        assertEquals("is not a JSON object", assertThrows(StateFiles.Unreadable.class, () -> StateFiles.readObject(f)).problem());
        assertTrue(StateFiles.readObject(dir.resolve("none.json")).isEmpty());
        JsonObject o = new JsonObject();
        o.addProperty("k", "v");
        StateFiles.write(dir.resolve("sub/o.json"), o);
        assertEquals("v", StateFiles.readObject(dir.resolve("sub/o.json")).orElseThrow().get("k").getAsString());
    }

    @Test
    void placesOfRecordsOfEarlierReleases() {
        NetworkConfig c = record("p").config();
        assertEquals("netns:h", HostNamespaces.place(new NetworkRecord(c, "1:2", "namespace \"h\"")));
        assertEquals("netns:h", HostNamespaces.place(new NetworkRecord(c, "1:2", "namespace at /run/netns/h")));
        assertEquals("path:/var/run/x", HostNamespaces.place(new NetworkRecord(c, "1:2", "namespace at /var/run/x")));
        assertEquals(null, HostNamespaces.place(new NetworkRecord(c, "1:2", "the current namespace")));
        assertEquals("init", HostNamespaces.place(new NetworkRecord(c, "1:2", "the current namespace", "init")));
        assertEquals("namespace \"h\"", HostNamespaces.describePlace("netns:h"));
    }
}
