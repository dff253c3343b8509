package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import java.net.InetAddress;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link Attachments} over the fake host: a refused attach changes nothing, a failing set-up leaves nothing, an address
 * is never handed out twice (not even when its reservation was lost under a live attachment), detach is idempotent,
 * publish and unpublish change exactly the attachment's rules, and what CNI recorded beside an attachment stays with it.
 */
class AttachmentsTest extends OneContainer {

    /** Everything an attach could change: the fake kernel's namespaces, the addresses, the rules, the records, the journal. */
    private String everything() {
        return h.stack.calls().size() + "|" + kernel() + "|" + h.ipam.held + "|" + h.fw.held.keySet() + "|"
                + h.attachments().list(null) + "|" + Journal.pending(h.state);
    }

    private AttachRequest request(String id, NetnsRef ns, List<InetAddress> addresses, String... ports) {
        return new AttachRequest("n", id, ns, new IfName("eth0"), addresses, null, List.of(ports).stream().map(PortMapping::parse).toList());
    }

    @Test
    void aRefusedAttachChangesNothing() {
        NetnsRef c2 = h.namespace("c2");
        String before = everything();
        Map<String, org.junit.jupiter.api.function.Executable> refused = new java.util.LinkedHashMap<>();
        refused.put("already attached", () -> h.attachments().attach(h.host, request("c1", c2, List.of())));
        refused.put("outside the subnet", () -> h.attachments().attach(h.host, request("c2", c2, List.of(IpAddresses.parse("ip", "10.8.0.5")))));
        refused.put("two addresses of a family", () -> h.attachments().attach(h.host, request("c2", c2,
                List.of(IpAddresses.parse("ip", "10.9.0.5"), IpAddresses.parse("ip", "10.9.0.6")))));
        refused.put("the host's namespace", () -> h.attachments().attach(h.host, request("c2", h.host, List.of())));
        refused.put("no such namespace", () -> h.attachments().attach(h.host, request("c2", NetnsRef.path(dir.resolve("none")), List.of())));
        refused.put("no such network", () -> h.attachments().attach(h.host, new AttachRequest("m", "c2", c2, null, List.of(), null, List.of())));
        refused.put("a multicast MAC", () -> h.attachments().attach(h.host, new AttachRequest("n", "c2", c2, null, List.of(),
                MacAddress.parse("01:00:5e:00:00:01"), List.of())));
        for (Map.Entry<String, org.junit.jupiter.api.function.Executable> e : refused.entrySet()) {
            assertThrows(PatchbayException.class, e.getValue(), e.getKey());
            assertEquals(before, everything(), e.getKey() + ": nothing changed");
        }
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> h.attachments().attach(h.host, request("c2", c2, List.of(IpAddresses.parse("ip", "10.8.0.5")))));
        assertEquals("ip", e.field(), "the field is named");
        assertTrue(e.getMessage().contains("10.8.0.5") && e.getMessage().contains("10.9.0.0/24"), e.getMessage());
        AlreadyExistsException twice = assertThrows(AlreadyExistsException.class, () -> h.attachments().attach(h.host, request("c1", c2, List.of())));
        assertEquals("\"c1\" is already attached to network \"n\"", twice.getMessage());
    }

    @Test
    void aDriverThatFailsHalfwayLeavesNothingAndTheContainerAttachesAfterwards() {
        NetnsRef c2 = h.namespace("c2");
        String hostBefore = kernel().toString();
        h.driver.failSetUp = true; // the veth pair is made, then the set-up fails
        PatchbayException e = assertThrows(PatchbayException.class, () -> h.attach("n", "c2", c2, "eth0"));
        assertEquals("br failed to set up \"c2\"", e.getMessage());
        assertEquals(hostBefore, kernel().toString(), "its veth pair is gone from the host");
        assertTrue(h.kernel(c2).link("eth0").isEmpty(), "and from the container");
        assertEquals(List.of(c1.addresses().get(0).address()), List.copyOf(h.ipam.held.values()), "its address released");
        assertEquals(List.of(c1), h.attachments().list("n"));
        assertEquals(List.of(), Journal.pending(h.state), "nothing in flight");
        Attachment c2a = h.attach("n", "c2", c2, "eth0");
        assertEquals("10.9.0.3/24", c2a.addresses().get(0).toString());
    }

    @Test
    void anAddressWhoseReservationWasLostUnderALiveAttachmentIsNotHandedOutAgain() {
        InetAddress c1s = c1.addresses().get(0).address();
        h.ipam.held.clear(); // the IPAM's record of c1's address is gone; c1's own record still names it
        Attachment c2 = h.attach("n", "c2");
        assertNotEquals(c1s, c2.addresses().get(0).address(), "never an address twice");
        Attachment c3 = h.attach("n", "c3");
        assertEquals(3, java.util.stream.Stream.of(c1s, c2.addresses().get(0).address(), c3.addresses().get(0).address()).distinct().count());
    }

    @Test
    void concurrentAttachesGetOneAddressEach() throws Exception {
        List<NetnsRef> namespaces = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            namespaces.add(h.namespace("p" + i));
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            List<java.util.concurrent.Future<Attachment>> made = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                NetnsRef ns = namespaces.get(i);
                String id = "p" + i;
                made.add(pool.submit(() -> h.attach("n", id, ns, "eth0")));
            }
            java.util.Set<InetAddress> seen = new java.util.HashSet<>(List.of(c1.addresses().get(0).address()));
            for (java.util.concurrent.Future<Attachment> f : made) {
                assertTrue(seen.add(f.get().addresses().get(0).address()), "handed out twice: " + f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(7, h.attachments().list("n").size());
        assertEquals(7, new java.util.HashSet<>(h.ipam.held.values()).size());
        assertEquals(List.of(), Journal.pending(h.state));
    }

    @Test
    void anAttachWhoseRulesAreRefusedUnplugsTheContainerAgain() {
        NetnsRef c2 = h.namespace("c2");
        String before = kernel().toString();
        h.fw.refuseNext = new dev.patchbay.core.errors.BackendException("the backend refused the ruleset");
        assertThrows(PatchbayException.class, () -> h.attach("n", "c2", c2, "eth0", "8080:80/tcp"));
        assertEquals(before, kernel().toString(), "its veth pair is gone");
        assertTrue(h.kernel(c2).link("eth0").isEmpty());
        assertEquals(1, h.ipam.held.size(), "only c1's address is reserved");
        assertTrue(h.attachments().find("n", "c2").isEmpty());
        assertFalse(h.fw.held.containsKey(RulesetOwner.of("att:n/c2")));
    }

    @Test
    void detachIsIdempotentAndFreesEverything() {
        h.attachments().detach(h.host, "n", "c1");
        assertTrue(h.ipam.held.isEmpty());
        assertEquals(List.of(RulesetOwner.of("net:n")), List.copyOf(h.fw.held.keySet()));
        assertTrue(kernel().link(c1.hostIf().value()).isEmpty());
        assertTrue(h.attachments().list("n").isEmpty());
        h.stack.clearCalls();
        h.attachments().detach(h.host, "n", "c1");
        h.attachments().detach(h.host, "n", "never-attached");
        assertEquals(List.of(), h.stack.calls(), "a second detach, or one of nothing, changes nothing in the kernel");
        assertEquals(List.of(), Journal.pending(h.state));
    }

    /** The record's deletion is a detach's commit point: a journal that then refuses to forget the entry does not fail it. */
    @Test
    void aDetachWhoseRecordIsGoneStandsEvenIfItsJournalEntryCannotBeForgotten() throws Exception {
        h.m.addPlugin(NetworksTest.jam(h.state.resolve("journal/j.log"), "tearDown"), ChainRollbackTest.ref("jam", "dev.patchbay.test.jam", 20, 0));
        h.ipam.prefixes.put("j", "10.7.0.");
        h.networks().create(h.host, new dev.patchbay.core.network.NetworkConfig("j", "bridge", List.of("jam"),
                dev.patchbay.core.model.IpPrefix.parse("10.7.0.0/24"), IpAddresses.parse("gw", "10.7.0.1"), null, null, Map.of()), false);
        Attachment a = h.attach("j", "cj");
        h.attachments().detach(h.host, "j", "cj");
        assertTrue(h.attachments().find("j", "cj").isEmpty());
        assertTrue(kernel().link(a.hostIf().value()).isEmpty());
        assertFalse(h.ipam.held.containsKey("j/cj/eth0"));
        Files.delete(h.state.resolve("journal/j.log"));
    }

    @Test
    void aDetachWithoutARecordReleasesWhatAnAttachAsThatInterfaceReserved() {
        h.ipam.held.put("n/k1/eth3", IpAddresses.parse("ip", "10.9.0.40")); // a CNI ADD that died before its record
        h.attachments().detach(h.host, "n", "k1", new IfName("eth2"));
        assertTrue(h.ipam.held.containsKey("n/k1/eth3"), "another interface's reservation is not this DEL's");
        h.attachments().detach(h.host, "n", "k1", new IfName("eth3"));
        assertFalse(h.ipam.held.containsKey("n/k1/eth3"));
        assertEquals(1, h.ipam.held.size(), "c1's stays");
    }

    @Test
    void withNextFreeIfNameAContainerOnASecondNetworkGetsEth1() {
        h.create("m", "10.8.0.0/24");
        NetnsRef pod = NetnsRef.path(java.nio.file.Path.of(c1.netnsPath()));
        Attachment onM = h.attachments().attach(h.host, new AttachRequest("m", "c1m", pod, new IfName("eth0"), List.of(), null, List.of()), true);
        assertEquals(new IfName("eth1"), onM.ifName(), "eth0 is c1's on n: the request's name is ignored");
        assertTrue(container(c1).link("eth1").isPresent());
        assertEquals("eth0", AttachInputs.nextFreeIfName(h.stack, NetnsRef.path(dir.resolve("none"))).value(),
                "a namespace that does not exist: the attach names what is wrong with it");
    }

    @Test
    void publishAddsOnlyNewPortsAndUnpublishRemovesThemAndTheOwnerWithTheLast() {
        RulesetOwner owner = RulesetOwner.of("att:n/c1");
        assertFalse(h.fw.held.containsKey(owner), "no port published: no rules of its own");
        PortMapping web = PortMapping.parse("8080:80/tcp");
        PortMapping dns = PortMapping.parse("5353:53/udp");
        h.attachments().publish(h.host, "n", "c1", List.of(web), true);
        Attachment a = h.attachments().publish(h.host, "n", "c1", List.of(web, dns), true);
        assertEquals(List.of(web, dns), a.ports(), "a port published twice is listed once");
        assertEquals(a, h.attachments().find("n", "c1").orElseThrow());
        assertEquals(2, h.fw.held.get(owner).rules().size());
        assertTrue(h.fw.held.get(owner).rules().stream().allMatch(r -> r instanceof Rule.PortForward));

        String before = everything();
        NotFoundException e = assertThrows(NotFoundException.class,
                () -> h.attachments().publish(h.host, "n", "c1", List.of(dns, PortMapping.parse("9090:90/tcp")), false));
        assertTrue(e.getMessage().contains("9090") && e.getMessage().contains("\"c1\""), e.getMessage());
        assertEquals(before, everything(), "an unpublish naming a port not published changes nothing, even the ports before it");

        h.attachments().publish(h.host, "n", "c1", List.of(web), false);
        assertEquals(1, h.fw.held.get(owner).rules().size());
        h.attachments().publish(h.host, "n", "c1", List.of(dns), false);
        assertFalse(h.fw.held.containsKey(owner), "the last port unpublished: its owner removed");
        assertEquals(List.of(), h.attachments().find("n", "c1").orElseThrow().ports());
        assertThrows(NotFoundException.class, () -> h.attachments().publish(h.host, "n", "c9", List.of(web), true));
    }

    @Test
    void whatCniRecordedBesideAnAttachmentStaysWithItWhenItsMacIsRecorded() {
        NetnsRef k = h.namespace("k");
        CniOrigin origin = new CniOrigin("abc123", new IfName("net1"), "cfg-digest", "abc123");
        h.attachments().attach(h.host, new AttachRequest("n", "abc123", k, new IfName("net1"), List.of(), null, List.of()), origin);
        assertEquals(origin, h.attachments().findCni("n", "abc123", new IfName("net1")).flatMap(a -> h.attachments().origin("n", a.containerId())).orElseThrow());
        assertTrue(h.attachments().findCni("n", "abc123", new IfName("eth0")).isEmpty(), "another interface of that container is not it");
        assertTrue(h.attachments().findCni("n", "c1", new IfName("eth0")).isEmpty(), "an attachment made by the CLI is never CNI's");
        String netnsId = h.store().netnsId("n", "abc123");
        assertEquals(h.stack.identity(k).toString(), netnsId, "the namespace's identity is recorded with it");

        MacAddress mac = MacAddress.parse("02:42:ac:11:00:09");
        h.attachments().recordMac("n", "abc123", mac);
        assertEquals(mac, h.attachments().find("n", "abc123").orElseThrow().mac());
        assertEquals(origin, h.attachments().origin("n", "abc123").orElseThrow(), "its origin kept");
        assertEquals(netnsId, h.store().netnsId("n", "abc123"), "its namespace's identity kept");
        h.attachments().recordMac("n", "nobody", mac);
        assertTrue(h.attachments().find("n", "nobody").isEmpty(), "nothing recorded for an attachment that is not there");

        assertThrows(IllegalArgumentException.class, () -> h.attachments().attach(h.host,
                new AttachRequest("n", "other", k, new IfName("net2"), List.of(), null, List.of()), origin), "the key is the request's id");
    }

    @Test
    void aDamagedNetworkIsToldAndTheOthersAreListed() throws Exception {
        h.create("m", "10.8.0.0/24");
        Attachment onM = h.attach("m", "c2");
        Files.writeString(h.state.resolve("networks/n.json"), "{\"config\":");
        List<String> warned = new ArrayList<>();
        List<Attachment> listed = h.attachments().listReadable(warned::add);
        assertEquals(List.of(onM), listed);
        assertEquals(1, warned.size(), warned.toString());
        assertTrue(warned.get(0).contains("n.json"), warned.get(0));
    }
}
