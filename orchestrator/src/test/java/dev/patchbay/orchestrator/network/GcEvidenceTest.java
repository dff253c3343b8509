package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.spi.NetnsHandle;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What gc frees and what it must keep ({@link Evidence}, {@link Orphans}): a reservation no attachment names is freed
 * only when no interface of a namespace it can read holds the address; a container whose record line was lost, whose
 * interface holds its reserved address and is the peer of a port of the network's bridge, is recorded again from the
 * kernel; one less certain is kept as it is. The pod here is on two networks, so its namespace is known from the other record.
 */
class GcEvidenceTest {
    @TempDir
    Path dir;
    FakeHost h;
    NetnsRef pod;
    Attachment onN;
    Attachment onM;

    @BeforeEach
    void aPodOnTwoNetworks() {
        h = new FakeHost(dir);
        h.create("n", "10.9.0.0/24");
        h.create("m", "10.8.0.0/24");
        pod = h.namespace("pod");
        onN = h.attach("n", "pod", pod, "eth0");
        onM = h.attach("m", "podm", pod, "eth1");
    }

    private String reservation(String network, String owner, String ifName, String ip) {
        h.ipam.held.put(network + "/" + owner + "/" + ifName, IpAddresses.parse("ip", ip));
        return network + "/" + owner + "/" + ifName;
    }

    @Test
    void aReservationNoInterfaceHoldsIsFreedOneAnInterfaceHoldsIsKept() {
        String free = reservation("n", "ghost", "eth0", "10.9.0.60");
        String held = reservation("n", "other", "eth0", "10.9.0.61");
        try (NetnsHandle in = h.stack.open(pod)) { // some interface of a namespace gc can read holds it
            in.links().add(LinkSpec.Other.of("extra0", "dummy"));
            in.addresses().add(LinkRef.name(new IfName("extra0")), IpPrefix.parse("10.9.0.61/24"));
        }
        Recovery.Report r = h.recovery().run(h.host);
        assertEquals(List.of(), r.errors(), r.toString());
        assertEquals(List.of("n/10.9.0.60"), r.released());
        assertEquals(1, r.kept().size(), r.kept().toString());
        assertTrue(r.kept().get(0).startsWith("n/10.9.0.61: "), r.kept().get(0));
        assertTrue(!h.ipam.held.containsKey(free) && h.ipam.held.containsKey(held));
        assertEquals(3, h.ipam.held.size(), "the attachments' own addresses are never candidates");
        assertEquals(List.of(), h.recovery().run(h.host).released(), "once");
    }

    @Test
    void aContainerWhoseRecordWasLostIsRecordedAgainFromTheKernel() {
        h.store().lockNetwork("n", () -> {
            h.store().deleteAttachment("n", "pod"); // its log's line torn
            return null;
        });
        Recovery.Report r = h.recovery().run(h.host);
        assertEquals(List.of(), r.errors(), r.toString());
        assertTrue(r.repaired().stream().anyMatch(w -> w.contains("recorded \"pod\" again from the kernel")), r.repaired().toString());
        Attachment again = h.attachments().find("n", "pod").orElseThrow();
        assertEquals(new Attachment("n", "pod", onN.netnsPath(), new IfName("eth0"), onN.hostIf(), again.mac(), onN.addresses(), List.of()),
                again, "all but its published ports, which the kernel does not tell");
        assertEquals(h.kernel(pod).link("eth0").orElseThrow().mac(), again.mac());
        assertEquals(List.of(), r.released(), "its address is not freed");
        assertTrue(h.kernel(h.host).link(onN.hostIf().value()).isPresent(), "nor its link deleted");
    }

    @Test
    void aContainerWhoseRecordWasLostAndIsNotOnTheBridgeIsKeptAsItIs() {
        h.store().lockNetwork("n", () -> {
            h.store().deleteAttachment("n", "pod");
            return null;
        });
        try (NetnsHandle host = h.stack.open(h.host)) {
            host.links().setMaster(LinkRef.name(onN.hostIf()), null); // no port of the network's bridge: not certainly its
        }
        Recovery.Report r = h.recovery().run(h.host);
        assertEquals(List.of(), r.errors(), r.toString());
        assertTrue(h.attachments().find("n", "pod").isEmpty(), "not recorded");
        assertEquals(List.of(), r.released(), "its address is held by an interface: kept");
        assertTrue(r.kept().stream().anyMatch(k -> k.startsWith("n/" + IpAddresses.format(onN.addresses().get(0).address()) + ": ")),
                r.kept().toString());
        assertTrue(h.kernel(pod).link("eth0").isPresent(), "nor is its interface touched");
        assertEquals(List.of(onM), h.attachments().list("m"), "the pod's other network is untouched");
    }
}
