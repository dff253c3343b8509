package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.state.StateLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link NetworkStore}'s records: a network's record read back as written, a record that cannot be read named with its
 * file and what is wrong and concerning its network only; attachments with what is kept beside them (the namespace's
 * identity, a CNI origin); the text scans (an address, a host link) matching whole values only; what a removal leaves.
 */
class NetworkStoreTest {
    @TempDir
    Path dir;

    private NetworkStore store() {
        return new NetworkStore(dir);
    }

    private static NetworkRecord record(String name, String subnet) {
        IpPrefix p = IpPrefix.parse(subnet);
        return new NetworkRecord(new NetworkConfig(name, "bridge", List.of("portmap"), p, NetworkConfig.firstHost(p), null, null,
                Map.of("bridge", "pb-" + name)), "boot/1", "namespace \"h\"", "netns:h");
    }

    private static Attachment attachment(String network, String id, String address, String hostIf) {
        return new Attachment(network, id, "/run/netns/" + id, new IfName("eth0"), hostIf == null ? null : new IfName(hostIf), null,
                List.of(IpPrefix.parse(address)), List.of());
    }

    private void save(Attachment a) {
        store().lockNetwork(a.network(), () -> {
            store().save(a, "boot/7");
            return null;
        });
    }

    @Test
    void aNetworksRecordIsReadBackAsWrittenAndListedByName() {
        NetworkRecord n = record("n", "10.9.0.0/24");
        NetworkRecord a = record("a", "10.8.0.0/24");
        store().save(n);
        store().save(a);
        assertEquals(n, store().network("n").orElseThrow());
        assertEquals(List.of(a, n), store().networks());
        assertTrue(store().network("none").isEmpty());
        assertEquals(List.of(), store().damaged());
    }

    @Test
    void aRecordThatCannotBeReadIsNamedWithItsFileAndConcernsItsNetworkOnly() throws Exception {
        store().save(record("ok", "10.9.0.0/24"));
        Files.createDirectories(dir.resolve("networks"));
        Map<String, String> bad = Map.of(
                "cut", "{\"config\":{\"name\":\"cut\"",
                "empty", "{}",
                "nohost", "{\"config\":" + dev.patchbay.state.Json.compact().toJson(record("nohost", "10.7.0.0/24").config()) + "}",
                "other", dev.patchbay.state.Json.compact().toJson(record("ok", "10.6.0.0/24")));
        for (Map.Entry<String, String> e : bad.entrySet()) {
            Files.writeString(dir.resolve("networks/" + e.getKey() + ".json"), e.getValue());
        }
        List<DamagedNetworkException> damaged = store().damaged();
        assertEquals(List.of("cut", "empty", "nohost", "other"), damaged.stream().map(DamagedNetworkException::network).toList());
        for (DamagedNetworkException d : damaged) {
            assertTrue(d.getMessage().contains(dir.resolve("networks/" + d.network() + ".json").toString()), d.getMessage());
        }
        assertTrue(damaged.get(1).problem().contains("no config"), damaged.get(1).problem());
        assertTrue(damaged.get(2).problem().contains("no hostNetns"), damaged.get(2).problem());
        assertTrue(damaged.get(3).problem().contains("holds network \"ok\", not \"other\""), damaged.get(3).problem());
        assertEquals(List.of("ok"), store().networks().stream().map(NetworkRecord::name).toList());
        assertThrows(DamagedNetworkException.class, () -> store().network("cut"));

        Path copy = store().keepDamaged("cut");
        assertTrue(copy.getFileName().toString().startsWith("cut.json.damaged-"), copy.toString());
        assertEquals(bad.get("cut"), Files.readString(copy));
    }

    @Test
    void anAttachmentKeepsItsNamespaceIdentityAndItsCniOriginWhenSavedAgain() {
        Attachment a = attachment("n", "k1", "10.9.0.2/24", "vbk1");
        CniOrigin origin = new CniOrigin("k1", new IfName("eth0"), "digest", "k1");
        store().lockNetwork("n", () -> {
            store().save(a, "boot/7", origin);
            store().save(a.withPorts(List.of(dev.patchbay.core.model.PortMapping.parse("8080:80/tcp"))));
            return null;
        });
        assertEquals(1, store().attachment("n", "k1").orElseThrow().ports().size());
        assertEquals("boot/7", store().netnsId("n", "k1"));
        assertEquals(origin, store().origin("n", "k1").orElseThrow());
        assertEquals(Map.of("k1", origin), store().origins("n"));
        assertNull(store().netnsId("n", "none"));
        assertTrue(store().origin("n", "none").isEmpty());
    }

    @Test
    void anOriginThatCannotBeReadIsNone() {
        StateLog.shared(dir.resolve("attachments/n.log"), Map.of("network", "n")).put("k2",
                "{\"network\":\"n\",\"containerId\":\"k2\",\"netnsPath\":\"\",\"ifName\":\"eth0\",\"addresses\":[],\"ports\":[],\"cni\":{\"containerId\":\"k2\"}}");
        assertTrue(store().origin("n", "k2").isEmpty(), "CNI leaves an attachment alone whose origin it cannot read");
        assertEquals(Map.of(), store().origins("n"));
        assertEquals("k2", store().attachment("n", "k2").orElseThrow().containerId());
    }

    @Test
    void theScansMatchWholeAddressesAndLinkNames() {
        save(attachment("n", "c1", "10.9.0.21/24", "vbc1"));
        assertTrue(store().recorded("n", IpAddresses.parse("ip", "10.9.0.21")));
        assertFalse(store().recorded("n", IpAddresses.parse("ip", "10.9.0.2")), "10.9.0.2 is not 10.9.0.21");
        assertFalse(store().recorded("n", IpAddresses.parse("ip", "0.9.0.21")));
        assertFalse(store().recorded("m", IpAddresses.parse("ip", "10.9.0.21")), "another network's record");
        assertTrue(store().namesHostLink("n", Set.of("vbc1", "vbzz")));
        assertFalse(store().namesHostLink("n", Set.of("vbc")));
    }

    @Test
    void attachmentLogsAreListedWhateverTheirNetworksRecord() throws Exception {
        save(attachment("b", "c1", "10.9.0.2/24", null));
        save(attachment("a", "c2", "10.8.0.2/24", null));
        Files.createDirectories(dir.resolve("networks"));
        Files.writeString(dir.resolve("networks/a.json"), "not json");
        assertEquals(List.of("a", "b"), store().attachmentLogs());
        assertEquals(List.of(), new NetworkStore(dir.resolve("nothing")).attachmentLogs(), "an empty state directory has none");
    }

    @Test
    void aRemovedNetworkLeavesAttachmentsAForcedRemovalCouldNotUndoVisible() {
        store().save(record("n", "10.9.0.0/24"));
        save(attachment("n", "c1", "10.9.0.2/24", null));
        store().deleteNetwork("n");
        assertTrue(store().network("n").isEmpty());
        assertEquals(1, store().attachments("n").size(), "left for gc to see");
        store().lockNetwork("n", () -> {
            store().deleteAttachment("n", "c1");
            return null;
        });
        store().save(record("n", "10.9.0.0/24"));
        store().deleteNetwork("n");
        assertFalse(Files.exists(dir.resolve("attachments/n.log")), "an empty log goes with its network");
        assertFalse(Files.exists(dir.resolve("locks/n.lock")));
    }

    @Test
    void aDeletedTreeIsGoneAndOneThatIsNotThereIsNoError() throws Exception {
        Files.createDirectories(dir.resolve("ipam/n/sub"));
        Files.writeString(dir.resolve("ipam/n/sub/10.9.0.2"), "c1");
        store().deleteTree(dir.resolve("ipam/n"));
        assertFalse(Files.exists(dir.resolve("ipam/n")));
        store().deleteTree(dir.resolve("ipam/n"));
    }

    /**
     * A line of the attachment log that is a whole entry whose value is JSON but no attachment (a damaged field name):
     * damage of its network, which lists, checks and repairs like any other, never an internal error of every command.
     */
    @Test
    void aLineThatIsJsonButNoAttachmentIsDamageOfItsNetworkOnly() {
        save(attachment("n", "c1", "10.9.0.2/24", null));
        StateLog.shared(dir.resolve("attachments/n.log"), Map.of("network", "n")).put("c7", "{\"network\":\"n\",\"containerId\":\"c7\"}");
        PatchbayException e = assertThrows(PatchbayException.class, () -> store().attachments("n"));
        assertTrue(e.getMessage().contains(dir.resolve("attachments/n.log").toString()) && e.getMessage().contains("\"c7\""), e.getMessage());
        assertThrows(PatchbayException.class, () -> store().attachment("n", "c7"));
        assertEquals(List.of("c1"), store().readableAttachments("n").stream().map(Attachment::containerId).toList());
        List<String> damage = store().attachmentDamage("n");
        assertEquals(1, damage.size(), damage.toString());
        assertTrue(damage.get(0).contains("\"c7\" is no attachment"), damage.get(0));

        Path copy = store().lockNetwork("n", () -> store().repairAttachments("n"));
        assertTrue(copy != null && copy.getFileName().toString().startsWith("n.log.damaged-"), String.valueOf(copy));
        assertEquals(List.of(), store().attachmentDamage("n"));
        assertEquals(List.of("c1"), store().attachments("n").stream().map(Attachment::containerId).toList());
        assertNull(store().lockNetwork("n", () -> store().repairAttachments("n")), "a whole log is left as it is");
    }

    /** The same damage seen from the use cases: the others are listed, and network ls says which one is damaged. */
    @Test
    void aNetworkWhoseLogHoldsNoAttachmentIsListedDamagedBesideTheOthers() {
        FakeHost h = new FakeHost(dir);
        h.oneNetworkOneContainer();
        h.create("m", "10.8.0.0/24");
        Attachment onM = h.attach("m", "c2");
        StateLog.shared(h.state.resolve("attachments/n.log"), Map.of("network", "n")).put("c7", "[1]");
        List<String> warned = new ArrayList<>();
        assertEquals(List.of(onM), h.attachments().listReadable(warned::add).stream().filter(a -> a.network().equals("m")).toList());
        assertEquals(1, warned.size(), warned.toString());
        Map<String, String> health = new java.util.TreeMap<>();
        h.networks().status(h.host).forEach(s -> health.put(s.name(), s.health()));
        assertEquals(Map.of("m", Reconcile.Health.OK, "n", Reconcile.Health.DAMAGED), health);
    }
}
