package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.spi.NetnsHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * gc's recovery of operations in flight ({@link Recovery#run} over {@link Journal}): an attach that died or whose undo
 * failed is undone, a detach is finished, a create is undone; a torn entry is dropped or repaired; an entry of a gone
 * namespace whose network lives here is replayed here. Each leaves the kernel, the records, the addresses and the rules consistent.
 */
class RecoveryTest extends OneContainer {
    String hostId;

    @BeforeEach
    void itsHost() {
        hostId = h.store().network("n").orElseThrow().hostNetns();
    }

    private List<Journal.Entry> pending() {
        return Journal.pending(h.state);
    }

    private boolean hostHas(String link) {
        return h.kernel(h.host).link(link).isPresent();
    }

    @Test
    void anAttachWhoseUndoFailedIsUndoneByGc() {
        h.driver.failSetUp = true; // the veth pair is made, then the set-up fails ...
        h.stack.failOn("links.delete", 1, new BackendException("the kernel is busy")); // ... and the undo cannot delete it
        assertThrows(PatchbayException.class, () -> h.attach("n", "c2"));
        assertTrue(hostHas("vbc2"), "left behind");
        assertEquals(2, h.ipam.held.size(), "its address stays reserved while its link is left");
        assertEquals(1, pending().size());
        Recovery.Report r = h.recovery().run(h.host);
        assertEquals(List.of("attach n/c2"), r.recovered(), r.toString());
        assertEquals(List.of(), r.errors());
        assertFalse(hostHas("vbc2"));
        assertEquals(List.of(c1.addresses().get(0).address()), List.copyOf(h.ipam.held.values()), "c2's address freed, c1's kept");
        assertEquals(List.of(c1), h.attachments().list("n"));
        assertEquals(List.of(), pending());
        assertEquals(List.of(), h.recovery().run(h.host).recovered(), "once");
    }

    @Test
    void anAttachThatDiedHalfwayIsUndoneByGc() {
        // what an attach had done when its process died: its entry, an address, the veth pair, the rules
        NetnsRef c2 = h.namespace("c2");
        store(() -> Journal.begin(h.state, "attach", "n", "c2", hostId, List.of(Journal.Step.of("ipam", Map.of("ifname", "eth0")),
                Journal.Step.of("chain", Map.of()), Journal.Step.of("rules", Map.of()))));
        h.ipam.held.put("n/c2/eth0", dev.patchbay.core.model.IpAddresses.parse("ip", "10.9.0.3"));
        try (NetnsHandle host = h.stack.open(h.host)) {
            host.links().add(new LinkSpec.Veth(new IfName("vbc2"), new IfName("eth0"), c2, null, null, null));
        }
        h.m.firewall.host(h.state, h.host).apply(new Ruleset(RulesetOwner.of("att:n/c2"), List.of(new Rule.Masquerade(IpPrefix.parse("10.9.0.3/32"), null))));
        Recovery.Report r = h.recovery().run(h.host);
        assertEquals(List.of("attach n/c2"), r.recovered(), r.toString());
        assertEquals(List.of(), r.errors());
        assertFalse(hostHas("vbc2"));
        assertTrue(h.kernel(c2).link("eth0").isEmpty(), "its peer in the container went with it");
        assertFalse(h.ipam.held.containsKey("n/c2/eth0"));
        assertFalse(h.fw.held.containsKey(RulesetOwner.of("att:n/c2")));
        assertTrue(h.attachments().find("n", "c2").isEmpty());
        assertEquals(List.of(), pending());
        assertTrue(hostHas(c1.hostIf().value()), "the other container is untouched");
    }

    @Test
    void aDetachThatFailedIsFinishedByGc() {
        h.stack.failOn("links.delete", 1, new BackendException("the kernel is busy"));
        PatchbayException e = assertThrows(PatchbayException.class, () -> h.attachments().detach(h.host, "n", "c1"));
        assertTrue(e.getMessage().endsWith("patchbay gc finishes the detach"), e.getMessage());
        assertEquals(List.of(c1), h.attachments().list("n"), "recorded until its teardown succeeds");
        assertEquals("detach", pending().get(0).op());
        Recovery.Report r = h.recovery().run(h.host);
        assertEquals(List.of("detach n/c1"), r.recovered(), r.toString());
        assertEquals(List.of(), h.attachments().list("n"));
        assertFalse(hostHas(c1.hostIf().value()));
        assertTrue(h.ipam.held.isEmpty());
        assertEquals(List.of(RulesetOwner.of("net:n")), List.copyOf(h.fw.held.keySet()));
        assertEquals(List.of(), pending());
    }

    @Test
    void aCreateThatDiedIsUndoneByGc() {
        NetworkConfig m = h.networks().inspect(h.host, "n").config();
        NetworkConfig config = new NetworkConfig("m", "bridge", m.plugins(), IpPrefix.parse("10.8.0.0/24"),
                dev.patchbay.core.model.IpAddresses.parse("gw", "10.8.0.1"), null, null, Map.of("bridge", "pb-m"));
        store(() -> Journal.begin(h.state, "create", "m", null, hostId,
                List.of(Journal.Step.of("network", Map.of("config", dev.patchbay.state.Json.compact().toJson(config))))));
        try (NetnsHandle host = h.stack.open(h.host)) {
            host.links().add(new LinkSpec.Bridge(new IfName("pb-m"), null, null));
        }
        h.m.firewall.host(h.state, h.host).apply(new Ruleset(RulesetOwner.of("net:m"), List.of(new Rule.Masquerade(config.subnet(), new IfName("pb-m")))));
        Recovery.Report r = h.recovery().run(h.host);
        assertEquals(List.of("create m"), r.recovered(), r.toString());
        assertFalse(hostHas("pb-m"));
        assertFalse(h.fw.held.containsKey(RulesetOwner.of("net:m")));
        assertTrue(h.networks().find("m").isEmpty());
        assertFalse(Files.exists(h.state.resolve("journal/m.log")), "nothing of a network never made is left");
        assertTrue(hostHas("pb-n"), "the other network is untouched");
    }

    @Test
    void aTornSingleEntryIsDroppedAndATornLogLineRepairedKeepingACopy() throws Exception {
        Path journal = h.state.resolve("journal");
        Files.createDirectories(journal);
        Files.writeString(journal.resolve("attach-1-1-1.json"), "{\"id\":\"attach-1-1-1\",\"op\":\"att");
        store(() -> Journal.begin(h.state, "attach", "n", "c2", hostId, List.of(Journal.Step.of("ipam", Map.of("ifname", "eth0")))));
        Files.writeString(journal.resolve("n.log"), "{\"op\":\"put\",\"key\":\"k\",\"value\":{\"id\":\"k\"}}\n",
                java.nio.file.StandardOpenOption.APPEND); // JSON, but no operation
        assertEquals(List.of("attach"), pending().stream().map(Journal.Entry::op).toList(), "the usable entry; the torn file dropped");
        assertFalse(Files.exists(journal.resolve("attach-1-1-1.json")));
        assertEquals(List.of("n"), List.copyOf(Journal.damage(h.state).keySet()));
        Recovery.Report r = h.recovery().run(h.host);
        assertEquals(List.of(), r.errors());
        assertTrue(r.repaired().stream().anyMatch(w -> w.startsWith("journal of network \"n\"")), r.repaired().toString());
        assertEquals(List.of("attach n/c2"), r.recovered(), "the usable entry is still replayed");
        assertEquals(Map.of(), Journal.damage(h.state));
        assertEquals(List.of(), pending());
        try (var kept = Files.list(journal)) {
            assertEquals(1, kept.filter(p -> p.getFileName().toString().startsWith("n.log.damaged-")).count(), "a copy is kept");
        }
        assertEquals(List.of(c1), h.attachments().list("n"));
    }

    /** The namespace an entry names is gone (the fake's namespaces are no live ones of the machine) and its network lives here. */
    @Test
    void anEntryOfAGoneNamespaceWhoseNetworkLivesHereIsReplayedHere() {
        NetnsRef other = h.namespace("other");
        String otherId = h.stack.identity(other).toString();
        store(() -> Journal.begin(h.state, "attach", "n", "c9", otherId, List.of(Journal.Step.of("ipam", Map.of("ifname", "eth0")))));
        h.ipam.held.put("n/c9/eth0", dev.patchbay.core.model.IpAddresses.parse("ip", "10.9.0.9"));
        Recovery.Report r = h.recovery().run(h.host);
        assertEquals(List.of("attach n/c9"), r.recovered());
        assertFalse(h.ipam.held.containsKey("n/c9/eth0"), "its address freed");
        assertEquals(List.of(), pending());
        assertEquals(List.of(), r.errors());
    }

    /** An earlier release wrote each entry as its own file and named the host link in it: gc replays it all the same. */
    @Test
    void anEntryOfAnEarlierReleaseAsItsOwnFileNamingItsLinkIsUndone() throws Exception {
        NetnsRef c2 = h.namespace("c2");
        try (NetnsHandle host = h.stack.open(h.host)) {
            host.links().add(new LinkSpec.Veth(new IfName("old-c2"), new IfName("eth0"), c2, null, null, null));
        }
        h.ipam.held.put("n/c2/eth1", dev.patchbay.core.model.IpAddresses.parse("ip", "10.9.0.3"));
        Path file = h.state.resolve("journal/attach-1-1-1.json");
        Files.writeString(file, "{\"id\":\"attach-1-1-1\",\"op\":\"attach\",\"network\":\"n\",\"containerId\":\"c2\",\"hostNetns\":"
                + com.google.gson.JsonParser.parseString("\"" + hostId + "\"") + ",\"steps\":[{\"kind\":\"ipam\",\"data\":{\"ifname\":\"eth1\"}},"
                + "{\"kind\":\"link\",\"data\":{\"hostIf\":\"old-c2\"}}]}");
        Recovery.Report r = h.recovery().run(h.host);
        assertEquals(List.of("attach n/c2"), r.recovered(), r.toString());
        assertEquals(List.of(), r.errors());
        assertFalse(hostHas("old-c2"), "the link it names is deleted");
        assertFalse(h.ipam.held.containsKey("n/c2/eth1"), "the address of the interface it names is freed");
        assertFalse(Files.exists(file));
    }

    /** gc run in another namespace forgets a network whose host namespace is gone (no reboot: it is not coming back). */
    @Test
    void aNetworkWhoseHostNamespaceIsGoneIsForgottenByGcElsewhere() throws Exception {
        Files.delete(h.host.path());
        NetnsRef elsewhere = h.namespace("elsewhere");
        Recovery.Report r = h.recovery().run(elsewhere);
        assertEquals(List.of(), r.errors(), r.toString());
        assertEquals(1, r.removed().size(), r.toString());
        assertTrue(r.removed().get(0).startsWith("network \"n\""), r.removed().get(0));
        assertTrue(h.networks().find("n").isEmpty());
        assertEquals(List.of(), h.attachments().list("n"));
        assertTrue(h.ipam.held.isEmpty(), "its addresses are freed");
        assertTrue(h.kernel(elsewhere).link("pb-n").isEmpty(), "nothing is made where gc ran");
    }

    /** A damaged attachment log may hide live attachments: nothing of the network is detached or freed until gc --repair. */
    @Test
    void aDamagedAttachmentLogKeepsEverythingUntilRepaired() throws Exception {
        Files.writeString(h.state.resolve("attachments/n.log"), "{\"op\":\"put\",\"key\":\"c7\",\"val\n", // a damaged line (a torn last one, without its newline, is no damage)
                java.nio.file.StandardOpenOption.APPEND);
        Files.delete(Path.of(c1.netnsPath()));
        h.ipam.held.put("n/ghost/eth0", dev.patchbay.core.model.IpAddresses.parse("ip", "10.9.0.70"));
        Recovery.Report r = h.recovery().run(h.host);
        assertEquals(1, r.damaged().size(), r.toString());
        assertTrue(r.damaged().get(0).startsWith("attachments of network \"n\""), r.damaged().get(0));
        assertEquals(List.of(), r.detached());
        assertEquals(List.of(), r.released());
        assertEquals(2, h.ipam.held.size(), "every address kept");

        r = h.recovery().run(h.host, true);
        assertEquals(List.of(), r.errors(), r.toString());
        assertTrue(r.repaired().stream().anyMatch(w -> w.startsWith("attachments of network \"n\": rewritten")), r.repaired().toString());
        assertEquals(List.of("n/c1"), r.detached());
        assertEquals(List.of("n/10.9.0.70"), r.released());
        assertTrue(h.ipam.held.isEmpty());
    }

    /** Writes under the network's lock, as the operations do. */
    private void store(java.util.function.Supplier<Journal> begin) {
        h.store().lockNetwork("n", begin::get);
    }
}
