package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetnsHandle;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Orphans} on its own: c1's record on network n is lost (its namespace still known from its record on m). It is
 * recorded again only when everything agrees — its reservation's interface holds the address, and that interface is
 * the peer of a port of the network's bridge; anything less certain records nothing.
 */
class OrphansTest extends OneContainer {

    @BeforeEach
    void c1IsAlsoOnMAndItsRecordOnNIsLost() {
        h.create("m", "10.8.0.0/24");
        h.attach("m", "c1m", NetnsRef.path(Path.of(c1.netnsPath())), "eth1");
        h.store().lockNetwork("n", () -> {
            h.store().deleteAttachment("n", "c1");
            return null;
        });
    }

    private List<String> adopt() {
        NetworkRecord n = h.store().network("n").orElseThrow();
        return h.store().lockNetwork("n", () -> Orphans.adopt(h.m, h.store(), h.host, n, new Evidence(h.stack, h.store())));
    }

    @Test
    void whenEverythingAgreesItIsRecordedAgainWithoutPorts() {
        List<String> done = adopt();
        assertEquals(1, done.size(), done.toString());
        assertTrue(done.get(0).contains("recorded \"c1\" again") && done.get(0).contains("publish them again"), done.get(0));
        assertEquals(new dev.patchbay.core.network.Attachment("n", "c1", c1.netnsPath(), c1.ifName(), c1.hostIf(),
                container(c1).link("eth0").orElseThrow().mac(), c1.addresses(), List.of()), h.attachments().find("n", "c1").orElseThrow(),
                "from the kernel: its namespace, interface, host side, MAC and addresses");
        assertEquals(h.stack.identity(NetnsRef.path(Path.of(c1.netnsPath()))).toString(), h.store().netnsId("n", "c1"));
        assertEquals(List.of(), adopt(), "once: a recorded owner is no orphan");
    }

    @Test
    void aReservationOfAnotherInterfaceIsNotItsHolders() {
        h.ipam.held.put("n/c1/eth5", h.ipam.held.remove("n/c1/eth0")); // the reservation says eth5, eth0 holds the address
        assertEquals(List.of(), adopt());
        assertTrue(h.attachments().find("n", "c1").isEmpty());
    }

    @Test
    void withoutTheNetworksBridgeNothingIsRecorded() {
        try (NetnsHandle host = h.stack.open(h.host)) {
            host.links().delete(LinkRef.name("pb-n"));
        }
        assertEquals(List.of(), adopt(), "no bridge to tell the network's containers by");
        assertTrue(h.attachments().find("n", "c1").isEmpty());
    }

    @Test
    void aPortOfAnotherBridgeIsNotThisNetworks() {
        try (NetnsHandle host = h.stack.open(h.host)) {
            host.links().setMaster(LinkRef.name(c1.hostIf()), LinkRef.name("pb-m"));
        }
        assertEquals(List.of(), adopt());
    }
}
