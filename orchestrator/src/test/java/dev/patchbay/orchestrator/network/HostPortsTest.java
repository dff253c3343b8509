package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.model.Protocol;
import dev.patchbay.core.network.Attachment;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Published ports against the host ({@link HostPorts}), through attach and publish: a port a host socket holds, or a
 * host address the host namespace lacks, is refused before anything changes; what does not overlap is published.
 */
class HostPortsTest {
    @TempDir
    Path dir;
    FakeHost h;

    @BeforeEach
    void oneNetwork() {
        h = new FakeHost(dir);
        h.create("n", "10.9.0.0/24");
    }

    private void socket(Protocol protocol, String address, int port) {
        h.kernel(h.host).listen(new dev.patchbay.core.model.ListeningSocket(protocol, IpAddresses.parse("ip", address), port, 4242));
    }

    /** Nothing of the refused attach is left: no record, address, link, rules or journal entry. */
    private void assertNothingOf(String containerId) {
        assertTrue(h.attachments().find("n", containerId).isEmpty());
        assertTrue(h.ipam.held.keySet().stream().noneMatch(k -> k.startsWith("n/" + containerId + "/")), h.ipam.held.toString());
        assertTrue(h.kernel(h.host).link("vb" + containerId).isEmpty());
        assertFalse(h.fw.held.containsKey(RulesetOwner.of("att:n/" + containerId)));
        assertEquals(List.of(), Journal.pending(h.state));
    }

    @Test
    void aPortAHostSocketHoldsIsRefusedBeforeAnythingChanges() {
        socket(Protocol.TCP, "0.0.0.0", 8080);
        AlreadyExistsException e = assertThrows(AlreadyExistsException.class, () -> h.attach("n", "c1", "8080:80/tcp"));
        assertTrue(e.getMessage().contains("tcp 0.0.0.0:8080"), e.getMessage());
        assertNothingOf("c1");
    }

    @Test
    void aRangeOverlappingASocketIsRefused() {
        socket(Protocol.UDP, "::", 5353);
        assertThrows(AlreadyExistsException.class, () -> h.attach("n", "c1", "5300-5400:5300-5400/udp"));
        assertNothingOf("c1");
    }

    @Test
    void anotherProtocolOrAnotherAddressOrAnotherPortIsNoConflict() {
        socket(Protocol.UDP, "0.0.0.0", 8080);
        socket(Protocol.TCP, "127.0.0.1", 8081);
        socket(Protocol.TCP, "0.0.0.0", 8082);
        Attachment a = h.attach("n", "c1", "8080:80/tcp", "10.9.0.1:8081:81/tcp", "8083:82/tcp");
        assertEquals(3, a.ports().size());
        assertEquals(3, h.fw.held.get(RulesetOwner.of("att:n/c1")).rules().size());
    }

    @Test
    void aHostAddressTheNamespaceLacksIsRefusedNamingIt() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> h.attach("n", "c1", "192.0.2.7:8080:80/tcp"));
        assertEquals("publish", e.field());
        assertTrue(e.getMessage().contains("192.0.2.7"), e.getMessage());
        assertNothingOf("c1");
        h.attach("n", "c1", dev.patchbay.core.model.NetnsRef.path(dir.resolve("c1")), "eth0", "10.9.0.1:8080:80/tcp"); // the gateway is the host's
    }

    @Test
    void publishingOnALiveAttachmentOverAHostSocketChangesNothing() {
        Attachment a = h.attach("n", "c1", "8080:80/tcp");
        var rules = h.fw.held.get(RulesetOwner.of("att:n/c1"));
        socket(Protocol.TCP, "::", 9090);
        assertThrows(AlreadyExistsException.class, () -> h.attachments().publish(h.host, "n", "c1", List.of(PortMapping.parse("9090:90/tcp")), true));
        assertEquals(a, h.attachments().find("n", "c1").orElseThrow());
        assertEquals(rules, h.fw.held.get(RulesetOwner.of("att:n/c1")));
        h.attachments().publish(h.host, "n", "c1", List.of(PortMapping.parse("9091:90/tcp")), true);
        assertEquals(2, h.attachments().find("n", "c1").orElseThrow().ports().size());
    }

    @Test
    void whatShadowsWhat() {
        HostPorts.Listener any = new HostPorts.Listener(Protocol.TCP, IpAddresses.parse("ip", "0.0.0.0"), 80, 1);
        HostPorts.Listener lo = new HostPorts.Listener(Protocol.TCP, IpAddresses.parse("ip", "127.0.0.1"), 80, 1);
        assertTrue(HostPorts.shadows(PortMapping.parse("80:80/tcp"), lo), "a publish on every address takes a loopback socket's port");
        assertTrue(HostPorts.shadows(PortMapping.parse("10.0.0.1:80:80/tcp"), any), "a wildcard socket is shadowed on any address");
        assertFalse(HostPorts.shadows(PortMapping.parse("10.0.0.1:80:80/tcp"), lo), "two specific addresses");
        assertTrue(HostPorts.shadows(PortMapping.parse("127.0.0.1:80:80/tcp"), lo));
        assertFalse(HostPorts.shadows(PortMapping.parse("80:80/udp"), any));
        assertFalse(HostPorts.shadows(PortMapping.parse("81-90:81-90/tcp"), any));
        assertTrue(HostPorts.shadows(PortMapping.parse("70-80:70-80/tcp"), any));
    }
}
