package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.ipam.IpRange;
import dev.patchbay.core.ipam.IpamConfig;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.LinkChange;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.testing.FakeNetworkStack;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an attach decides before it changes anything ({@link AttachInputs}): the requested addresses inside the
 * network's subnets and at most one per family, the IPAM ranges from the subnet or the {@code ipam.range} options (each
 * end optional, both inside the subnet and in order, the field and value named when not), the next free ethN.
 */
class AttachInputsTest {
    @TempDir
    Path dir;

    private static NetworkConfig config(Map<String, String> options) {
        return new NetworkConfig("n", "bridge", null, IpPrefix.parse("10.9.0.0/24"), IpAddresses.parse("gw", "10.9.0.1"),
                IpPrefix.parse("fd00:9::/64"), null, options);
    }

    private static InetAddress ip(String text) {
        return IpAddresses.parse("ip", text);
    }

    @Test
    void requestedAddressesAreInsideTheSubnetsAndOnePerFamily() {
        AttachInputs.checkAddresses(config(Map.of()), List.of(ip("10.9.0.7"), ip("fd00:9::7")));
        InvalidInputException outside = assertThrows(InvalidInputException.class,
                () -> AttachInputs.checkAddresses(config(Map.of()), List.of(ip("10.9.1.7"))));
        assertEquals("ip", outside.field());
        assertTrue(outside.getMessage().contains("10.9.1.7") && outside.getMessage().contains("10.9.0.0/24"), outside.getMessage());
        InvalidInputException twice = assertThrows(InvalidInputException.class,
                () -> AttachInputs.checkAddresses(config(Map.of()), List.of(ip("fd00:9::7"), ip("fd00:9::8"))));
        assertTrue(twice.getMessage().contains("at most one address per family"), twice.getMessage());
        NetworkConfig v4only = new NetworkConfig("n", "bridge", null, IpPrefix.parse("10.9.0.0/24"), null, null, null, Map.of());
        InvalidInputException noV6 = assertThrows(InvalidInputException.class,
                () -> AttachInputs.checkAddresses(v4only, List.of(ip("fd00:9::7"))));
        assertTrue(noV6.getMessage().contains("the network has no IPv6 subnet"), noV6.getMessage());
    }

    @Test
    void withoutOptionsTheWholeSubnetsAreHandedOutAroundTheirGateways() {
        IpamConfig c = AttachInputs.ipamConfig(config(Map.of()));
        assertEquals(2, c.rangeSets().size(), "one range set per family");
        IpRange v4 = c.rangeSets().get(0).ranges().get(0);
        assertEquals(IpPrefix.parse("10.9.0.0/24"), v4.subnet());
        assertNull(v4.rangeStart());
        assertNull(v4.rangeEnd());
        assertEquals(ip("10.9.0.1"), v4.gateway());
        assertEquals(IpPrefix.parse("fd00:9::/64"), c.rangeSets().get(1).ranges().get(0).subnet());
    }

    @Test
    void aRangeOptionBoundsTheAddressesEitherEndMayBeLeftOut() {
        IpRange both = AttachInputs.ipamConfig(config(Map.of(NetworkManager.IPAM_RANGE, "10.9.0.100-10.9.0.199"))).rangeSets().get(0).ranges().get(0);
        assertEquals(ip("10.9.0.100"), both.rangeStart());
        assertEquals(ip("10.9.0.199"), both.rangeEnd());
        IpRange from = AttachInputs.ipamConfig(config(Map.of(NetworkManager.IPAM_RANGE, "10.9.0.100-"))).rangeSets().get(0).ranges().get(0);
        assertEquals(ip("10.9.0.100"), from.rangeStart());
        assertNull(from.rangeEnd());
        IpRange upTo = AttachInputs.ipamConfig(config(Map.of(NetworkManager.IPAM_RANGE6, "-fd00:9::ff"))).rangeSets().get(1).ranges().get(0);
        assertNull(upTo.rangeStart());
        assertEquals(ip("fd00:9::ff"), upTo.rangeEnd());
    }

    @Test
    void aRangeOptionThatCannotBeUsedNamesItsKeyAndValue() {
        Map<String, String> why = Map.of(
                "10.9.0.100", "expected FIRST-LAST inside 10.9.0.0/24, e.g. 10.9.0.1-10.9.0.10",
                "-", "expected FIRST-LAST",
                "10.9.0.100-10.9.1.5", "10.9.1.5 is not inside 10.9.0.0/24",
                "10.9.0.200-10.9.0.100", "the first address comes after the last");
        for (Map.Entry<String, String> e : why.entrySet()) {
            InvalidInputException x = assertThrows(InvalidInputException.class,
                    () -> AttachInputs.ipamConfig(config(Map.of(NetworkManager.IPAM_RANGE, e.getKey()))), e.getKey());
            assertEquals(NetworkManager.IPAM_RANGE, x.field());
            assertTrue(x.getMessage().contains(e.getKey()) && x.getMessage().contains(e.getValue()), x.getMessage());
        }
        InvalidInputException notAnAddress = assertThrows(InvalidInputException.class,
                () -> AttachInputs.ipamConfig(config(Map.of(NetworkManager.IPAM_RANGE, "ten-eleven"))));
        assertEquals(NetworkManager.IPAM_RANGE, notAnAddress.field());
    }

    @Test
    void theNextFreeInterfaceIsTheFirstEthNTheContainerDoesNotHave() throws Exception {
        FakeNetworkStack stack = new FakeNetworkStack();
        NetnsRef ctr = NetnsRef.path(Files.createFile(dir.resolve("ctr")));
        stack.netns(ctr);
        assertEquals(new IfName("eth0"), AttachInputs.nextFreeIfName(stack, ctr));
        try (NetnsHandle h = stack.open(ctr)) {
            h.links().add(LinkSpec.Other.of("eth0", "dummy"));
            h.links().add(LinkSpec.Other.of("eth2", "dummy"));
        }
        assertEquals(new IfName("eth1"), AttachInputs.nextFreeIfName(stack, ctr), "a gap is filled");
        assertEquals(0, stack.openHandles(), "the namespace is closed again");
    }

    /**
     * An attach right after a detach in a daemon: the detached pair waits in the host for its deletion (down, marked),
     * its container end still eth0. The attach takes eth0 again, deleting what waits (it took eth1, and under load
     * failed); a veth merely without carrier and not marked is the container's own, and stays.
     */
    @Test
    void aDetachedPairStillWaitingIsDeletedSoTheNameIsFreeAgain() throws Exception {
        FakeNetworkStack stack = new FakeNetworkStack();
        NetnsRef ctr = NetnsRef.path(Files.createFile(dir.resolve("ctr")));
        stack.netns(ctr);
        FakeNetworkStack.Netns hostState = stack.netns("host");
        NetnsRef host = NetnsRef.named("host");
        try (NetnsHandle h = stack.open(host)) {
            h.links().add(new LinkSpec.Veth(new IfName("vethdead"), new IfName("eth0"), ctr, null, null, null));
            h.links().add(new LinkSpec.Veth(new IfName("vethdown"), new IfName("eth1"), ctr, null, null, null));
            h.links().set(LinkRef.name("vethdead"), new LinkChange(false, null, null, PendingLinks.GROUP)); // a daemon's detach
            h.links().setUp(LinkRef.name("vethdown"), false); // someone's, down: not marked
        }
        assertEquals(new IfName("eth0"), AttachInputs.nextFreeIfName(stack, host, ctr));
        assertTrue(hostState.link("vethdead").isEmpty(), "the waiting pair went");
        assertTrue(stack.netns(ctr).link("eth1").isPresent() && hostState.link("vethdown").isPresent(), "what is not marked stays");
        assertEquals(0, stack.openHandles(), "the namespaces are closed again");
    }
}
