package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.spi.NetnsHandle;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Whether an address is in use, by evidence ({@link Evidence}): held by an interface of a namespace an attachment
 * record names, or named by a record whose namespace is gone or cannot be read; the one interface that holds it (none
 * when two do); read from the kernel once. When in doubt, an address is in use.
 */
class EvidenceTest extends OneContainer {

    private Evidence evidence() {
        return new Evidence(h.stack, h.store());
    }

    private InetAddress c1Address() {
        return c1.addresses().get(0).address();
    }

    @Test
    void anAddressAContainersInterfaceHoldsIsInUseAndThatInterfaceIsItsHolder() {
        Evidence e = evidence();
        assertTrue(e.test(c1Address()));
        Evidence.Holder holder = e.holder(c1Address());
        assertEquals(Path.of(c1.netnsPath()), holder.netns());
        assertEquals("eth0", holder.ifName());
        assertEquals(c1.addresses().get(0), holder.address());
        int hostSide = kernel().link(c1.hostIf().value()).orElseThrow().index();
        assertEquals(Integer.valueOf(hostSide), holder.peerIndex(), "its veth peer is the host side the driver made");
        assertFalse(e.test(IpAddresses.parse("ip", "10.9.0.99")), "nobody holds it, no record names it");
        assertNull(e.holder(IpAddresses.parse("ip", "10.9.0.99")));
    }

    @Test
    void anAddressAnInterfaceHoldsInAnyRecordedNamespaceIsInUseWhateverItsNetwork() {
        try (NetnsHandle ctr = h.stack.open(container(c1).ref())) {
            ctr.links().add(LinkSpec.Other.of("extra", "dummy"));
            ctr.addresses().add(LinkRef.name("extra"), IpPrefix.parse("10.9.0.77/24")); // no record of Patchbay names it
        }
        assertTrue(evidence().test(IpAddresses.parse("ip", "10.9.0.77")));
    }

    @Test
    void anAddressOnlyARecordNamesIsInUseButHasNoHolder() throws Exception {
        Files.delete(Path.of(c1.netnsPath())); // the container is gone, its record is not
        Evidence e = evidence();
        assertTrue(e.test(c1Address()), "a record names it: in use until the record goes");
        assertNull(e.holder(c1Address()), "no interface seen");
    }

    @Test
    void aNamespaceThatCannotBeReadCountsItsRecordedAddresses() {
        h.stack.failOn("stack.open", 1, new BackendException("cannot enter"));
        Evidence e = evidence();
        assertTrue(e.test(c1Address()));
        assertNull(e.holder(c1Address()));
    }

    @Test
    void anAddressTwoInterfacesHoldIsInUseWithNoOneHolder() {
        Attachment c2 = h.attach("n", "c2");
        try (NetnsHandle ctr = h.stack.open(container(c2).ref())) {
            ctr.addresses().add(LinkRef.name("eth0"), c1.addresses().get(0)); // a duplicate, by hand
        }
        Evidence e = evidence();
        assertTrue(e.test(c1Address()));
        assertNull(e.holder(c1Address()), "which of the two it is cannot be said");
        assertEquals("eth0", e.holder(c2.addresses().get(0).address()).ifName(), "c2's own address still has its holder");
    }

    @Test
    void theKernelIsReadOnceOnFirstUse() {
        Evidence e = evidence();
        assertFalse(e.test(IpAddresses.parse("ip", "10.9.0.88")));
        try (NetnsHandle ctr = h.stack.open(container(c1).ref())) {
            ctr.addresses().add(LinkRef.name("eth0"), IpPrefix.parse("10.9.0.88/24"));
        }
        assertFalse(e.test(IpAddresses.parse("ip", "10.9.0.88")), "one answer per gc: what it read first");
        assertTrue(evidence().test(IpAddresses.parse("ip", "10.9.0.88")), "the next one reads again");
    }
}
