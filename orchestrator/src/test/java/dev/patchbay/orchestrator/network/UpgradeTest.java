package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.state.NewerStateException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state directory's files as a release before formats wrote them, by hand: read as they are, upgraded by gc's
 * first step (and a record by its next write), nothing lost; one of a newer format refuses it all, changing nothing.
 */
class UpgradeTest {
    @TempDir
    Path dir;

    /** A network record of before formats (with a member this build does not know, which must survive). */
    static final String RECORD = "{\"config\":{\"name\":\"web\",\"driver\":\"bridge\",\"plugins\":[\"firewall\"],\"subnet\":\"10.9.0.0/24\","
            + "\"options\":{\"bridge\":\"pb-web\"}},\"hostNetns\":\"boot/42\",\"hostDescription\":\"namespace \\\"h\\\"\","
            + "\"hostPlace\":\"netns:h\",\"extra\":\"kept\"}\n";
    static final String LOG = "{\"op\":\"log\",\"gen\":12,\"network\":\"web\"}\n{\"op\":\"put\",\"key\":\"k\",\"value\":{\"v\":1}}\n";
    static final String FIREWALL = "{\"op\":\"log\",\"gen\":13,\"identity\":\"boot/1\",\"netns\":\"h\"}\n"
            + "{\"op\":\"put\",\"key\":\"backend\",\"value\":\"nftables\"}\n";

    private void writeUnversioned() throws Exception {
        for (String d : List.of("networks", "attachments", "journal", "firewall")) {
            Files.createDirectories(dir.resolve(d));
        }
        Files.writeString(dir.resolve("networks/web.json"), RECORD);
        Files.writeString(dir.resolve("attachments/web.log"), LOG);
        Files.writeString(dir.resolve("journal/web.log"), LOG);
        Files.writeString(dir.resolve("firewall/netns-boot-1.log"), FIREWALL);
    }

    private static JsonObject first(Path f) throws Exception {
        return JsonParser.parseString(Files.readAllLines(f).get(0)).getAsJsonObject();
    }

    @Test
    void filesOfBeforeFormatsAreReadThenUpgradedWithNothingLost() throws Exception {
        writeUnversioned();
        NetworkStore store = new NetworkStore(dir);
        NetworkRecord before = store.network("web").orElseThrow();
        assertEquals("pb-web", before.config().options().get("bridge"), "read as format 1");
        assertEquals(RECORD, Files.readString(dir.resolve("networks/web.json")), "reading changes nothing");

        List<Path> done = store.lockNetworks(() -> Upgrade.run(store, new java.util.ArrayList<>()));
        assertEquals(Set.of(dir.resolve("networks/web.json"), dir.resolve("attachments/web.log"), dir.resolve("journal/web.log"),
                dir.resolve("firewall/netns-boot-1.log")), Set.copyOf(done));
        JsonObject rec = JsonParser.parseString(Files.readString(dir.resolve("networks/web.json"))).getAsJsonObject();
        assertEquals("format", rec.keySet().iterator().next(), "first member: " + rec);
        assertEquals(1, rec.get("format").getAsInt());
        JsonObject old = JsonParser.parseString(RECORD).getAsJsonObject();
        old.entrySet().forEach(e -> assertEquals(e.getValue(), rec.get(e.getKey()), e.getKey() + " kept"));
        assertEquals(before, store.network("web").orElseThrow());
        for (String log : List.of("attachments/web.log", "journal/web.log", "firewall/netns-boot-1.log")) {
            assertEquals(1, first(dir.resolve(log)).get("format").getAsInt(), log);
        }
        assertEquals("{\"v\":1}", new dev.patchbay.state.StateLog(dir.resolve("attachments/web.log"), Map.of(), null)
                .refresh().get("k"));
        JsonObject fw = first(dir.resolve("firewall/netns-boot-1.log"));
        assertEquals("boot/1", fw.get("identity").getAsString(), "the header's members are kept: " + fw);
        assertEquals("h", fw.get("netns").getAsString());
        assertEquals("\"nftables\"", new dev.patchbay.state.StateLog(dir.resolve("firewall/netns-boot-1.log"), Map.of(), null)
                .refresh().get("backend"), "the backend choice is kept");
        assertEquals(List.of(), store.lockNetworks(() -> Upgrade.run(store, new java.util.ArrayList<>())), "once");
    }

    @Test
    void aRecordOfBeforeFormatsIsUpgradedByItsNextWrite() throws Exception {
        writeUnversioned();
        NetworkStore store = new NetworkStore(dir);
        store.save(store.network("web").orElseThrow());
        assertEquals(1, JsonParser.parseString(Files.readString(dir.resolve("networks/web.json"))).getAsJsonObject().get("format").getAsInt());
    }

    @Test
    void anUpgradeTheFileSystemRefusesLeavesTheFileAsItWasAndSaysSo() throws Exception {
        writeUnversioned();
        NetworkStore store = new NetworkStore(dir);
        // the record's temp file cannot be made (a full disk, say): a folder stands where it goes
        Path tmp = dir.resolve("networks/.web.json." + ProcessHandle.current().pid() + "." + Thread.currentThread().getId() + ".tmp");
        Files.createDirectories(tmp.resolve("in the way"));
        List<String> left = new java.util.ArrayList<>();
        List<Path> done = store.lockNetworks(() -> Upgrade.run(store, left));
        assertFalse(done.contains(dir.resolve("networks/web.json")), done.toString());
        assertEquals(3, done.size(), "the others are upgraded: " + done);
        assertEquals(RECORD, Files.readString(dir.resolve("networks/web.json")), "as it was");
        assertEquals(1, left.size(), left.toString());
        assertTrue(left.get(0).contains("networks/web.json") && left.get(0).contains("not upgraded"), left.get(0));
        assertEquals("pb-web", store.network("web").orElseThrow().config().options().get("bridge"), "still read");
    }

    @Test
    void aDamagedRecordIsLeftForRepair() throws Exception {
        writeUnversioned();
        Files.writeString(dir.resolve("networks/web.json"), "{\"config\":");
        NetworkStore store = new NetworkStore(dir);
        assertFalse(StateFiles.upgrade(dir.resolve("networks/web.json")));
        assertEquals("{\"config\":", Files.readString(dir.resolve("networks/web.json")));
    }

    @Test
    void aNewerFileIsRefusedNamingItAndNothingChanges() throws Exception {
        writeUnversioned();
        NetworkStore store = new NetworkStore(dir);
        String newer = "{\"format\":2,\"config\":{\"name\":\"db\"},\"layout\":\"of tomorrow\"}\n";
        Files.writeString(dir.resolve("networks/db.json"), newer);
        NewerStateException e = assertThrows(NewerStateException.class, () -> store.network("db"));
        assertTrue(e.getMessage().contains("networks/db.json\" has format 2") && e.getMessage().contains("up to 1"), e.getMessage());
        assertThrows(NewerStateException.class, store::networks, "not listed as damaged: refused");
        assertThrows(NewerStateException.class, store::damaged);
        assertThrows(NewerStateException.class, () -> Upgrade.refuseNewer(dir));
        assertEquals(newer, Files.readString(dir.resolve("networks/db.json")));
        assertEquals(RECORD, Files.readString(dir.resolve("networks/web.json")), "gc refuses before it upgrades anything");
        Files.writeString(dir.resolve("journal/x-1.json"), "{\"format\":2,\"id\":\"x-1\"}");
        Files.delete(dir.resolve("networks/db.json"));
        assertThrows(NewerStateException.class, () -> Journal.pending(dir), "a newer single entry is not dropped as torn");
        assertTrue(Files.exists(dir.resolve("journal/x-1.json")));
    }

    @Test
    void aWrittenRecordCarriesTheFormatFirst() throws Exception {
        NetworkStore store = new NetworkStore(dir);
        store.save(new NetworkRecord(new NetworkConfig("n", "bridge", List.of("firewall"), IpPrefix.parse("10.9.0.0/24"), null, null, null,
                Map.of("bridge", "pb-n")), "boot/42", "namespace \"h\"", "netns:h"));
        assertTrue(Files.readString(dir.resolve("networks/n.json")).startsWith("{\"format\":1,"));
    }
}
