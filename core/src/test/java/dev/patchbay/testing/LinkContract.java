package dev.patchbay.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkChange;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.model.Neighbour;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.Protocol;
import dev.patchbay.core.spi.LinkOps;
import dev.patchbay.core.spi.NeighbourOps;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The links-and-neighbours half of {@link NetworkStackContract} and the hooks a run of it gives: extend
 * {@link NetworkStackContract}, not this.
 */
public abstract class LinkContract {

    /** The stack under test. */
    protected abstract NetworkStack stack();

    /** A fresh namespace holding only {@code lo} (up or down), for this test alone; the subclass deletes it after the test. */
    protected abstract NetnsRef.Named netns(String role);

    /** A namespace name nothing uses, for the test to create (or miss) itself; the subclass deletes it after the test if left. */
    protected abstract String unusedName(String role);

    /** Binds a socket in {@code netns} (TCP listening, UDP unconnected) at {@code at} until it is closed. */
    protected abstract AutoCloseable listen(NetnsRef netns, Protocol protocol, InetSocketAddress at) throws Exception;

    /** What {@link LinkOps#set} sets and {@link Link} does not show, read from outside the stack under test. */
    protected abstract Flags flags(NetnsRef netns, String link);

    /** Promiscuous, all-multicast and the link group (0: the default). */
    public record Flags(boolean promisc, boolean allmulti, int group) {
    }

    /** A vxlan link's attributes, read from outside the stack under test ({@code ip -j -d link show}). */
    protected abstract Vxlan vxlan(NetnsRef netns, String link);

    /** VNI, UDP destination port, local address (or null), learning. */
    public record Vxlan(long id, int port, InetAddress local, boolean learning) {
    }

    /** vxlan's IFLA_INFO_DATA numbers (linux/if_link.h): a kind the model does not name, made from its attributes alone. */
    static final int IFLA_VXLAN_ID = 1, IFLA_VXLAN_LOCAL = 4, IFLA_VXLAN_LEARNING = 7, IFLA_VXLAN_PORT = 15;

    @Test
    void aLinkOfAKindTheModelDoesNotNameIsMadeFromItsKindAndAttributes() {
        NetnsRef ns = netns("other");
        NetnsRef there = netns("other2");
        try (NetnsHandle h = stack().open(ns)) {
            LinkOps l = h.links();
            InetAddress local = IpAddresses.parse("local", "10.92.0.1");
            LinkSpec.Other spec = new LinkSpec.Other(IfName.of("cvx0"), "vxlan", null, null, 1450, MacAddress.parse("02:00:00:00:92:01"),
                    List.of(new LinkSpec.Attr(IFLA_VXLAN_ID, LinkSpec.Attr.As.U32, 42L), new LinkSpec.Attr(IFLA_VXLAN_LOCAL, LinkSpec.Attr.As.ADDRESS, local),
                            new LinkSpec.Attr(IFLA_VXLAN_LEARNING, LinkSpec.Attr.As.U8, 0L), new LinkSpec.Attr(IFLA_VXLAN_PORT, LinkSpec.Attr.As.BE16, 4789L)));
            Link vx = l.add(spec);
            assertEquals("vxlan", vx.kind());
            assertEquals(1450, vx.mtu());
            assertEquals(MacAddress.parse("02:00:00:00:92:01"), vx.mac());
            assertEquals(new Vxlan(42, 4789, local, false), vxlan(ns, "cvx0"));
            assertEquals(vx, l.ensure(spec), "ensure finds it by its kind");
            assertThrows(AlreadyExistsException.class, () -> l.add(spec));
            l.add(new LinkSpec.Other(IfName.of("cvx1"), "vxlan", null, there, null, null,
                    List.of(new LinkSpec.Attr(IFLA_VXLAN_ID, LinkSpec.Attr.As.U32, 43L), new LinkSpec.Attr(IFLA_VXLAN_PORT, LinkSpec.Attr.As.BE16, 4790L))));
            assertEquals(new Vxlan(43, 4790, null, true), vxlan(there, "cvx1"), "made directly there; learning is vxlan's default");
            assertTrue(l.find(LinkRef.name("cvx1")).isEmpty(), "not here");
            assertThrows(NotFoundException.class, () -> l.add(new LinkSpec.Other(IfName.of("cvx2"), "vxlan", LinkRef.name("nosuch0"), null, null, null, List.of())));
            l.delete(LinkRef.name("cvx0"));
            assertTrue(l.find(LinkRef.name("cvx0")).isEmpty());
        }
        assertThrows(InvalidInputException.class, () -> new LinkSpec.Attr(IFLA_VXLAN_LEARNING, LinkSpec.Attr.As.U8, 256L));
        assertThrows(InvalidInputException.class, () -> new LinkSpec.Attr(0, LinkSpec.Attr.As.U32, 1L));
        assertThrows(InvalidInputException.class, () -> new LinkSpec.Attr(IFLA_VXLAN_ID, LinkSpec.Attr.As.U32, "42"));
        assertThrows(InvalidInputException.class, () -> new LinkSpec.Other(IfName.of("cvx3"), "Vx lan", null, null, null, null, null));
    }

    @Test
    void aBridgeAndAVethPairAreCreatedAndRead() {
        NetnsRef ns = netns("links");
        try (NetnsHandle h = stack().open(ns)) {
            LinkOps l = h.links();
            Link br = l.add(LinkSpec.Bridge.named("cbr0"));
            assertEquals("bridge", br.kind());
            assertEquals(IfName.of("cbr0"), br.name());
            assertEquals(1500, br.mtu());
            assertNotNull(br.mac());
            assertFalse(br.up());
            assertEquals(br, l.get(LinkRef.name("cbr0")));
            assertEquals(br, l.get(LinkRef.index(br.index())));
            Link a = l.add(LinkSpec.Veth.pair("cv0", "cv1"));
            Link b = l.get(LinkRef.name("cv1"));
            assertEquals("veth", a.kind());
            assertEquals("veth", b.kind());
            assertEquals(b.index(), a.peerIndex());
            assertEquals(a.index(), b.peerIndex());
            assertNull(a.peerNetnsId(), "the peer is in this namespace");
            assertNull(a.masterIndex());
            assertEquals(List.of("lo", "cbr0", "cv0", "cv1"), l.list().stream().map(x -> x.name().value()).sorted(
                    java.util.Comparator.comparing(n -> n.equals("lo") ? "" : n)).toList());
            assertEquals(l.list().stream().map(Link::index).sorted().toList(), l.list().stream().map(Link::index).toList(),
                    "listed by index");
            assertTrue(l.find(LinkRef.name("nosuch0")).isEmpty());
            assertThrows(NotFoundException.class, () -> l.get(LinkRef.name("nosuch0")));
            assertThrows(NotFoundException.class, () -> l.get(LinkRef.index(99999)));
        }
    }

    @Test
    void aVethTakesItsMtuAndMacsAndItsPeerMayBeBornElsewhere() {
        NetnsRef ns = netns("vethspec");
        NetnsRef other = netns("vethpeer");
        try (NetnsHandle h = stack().open(ns); NetnsHandle there = stack().open(other)) {
            MacAddress mac = MacAddress.parse("02:00:00:00:91:01");
            MacAddress peerMac = MacAddress.parse("02:00:00:00:91:02");
            Link a = h.links().add(new LinkSpec.Veth(IfName.of("cw0"), IfName.of("eth0"), other, 1400, mac, peerMac));
            assertEquals(1400, a.mtu());
            assertEquals(mac, a.mac());
            assertTrue(h.links().find(LinkRef.name("eth0")).isEmpty(), "the peer is born in the other namespace");
            Link b = there.links().get(LinkRef.name("eth0"));
            assertEquals(peerMac, b.mac());
            assertEquals(1400, b.mtu());
            assertNotNull(a.peerNetnsId(), "the peer's namespace, by the kernel's id");
            assertNotNull(b.peerNetnsId());
            assertEquals(a.index(), b.index(), "two fresh namespaces number their first new link alike");
            assertEquals(b.index(), a.peerIndex(), "the peer's index in its own namespace, even when it is this end's own");
            assertEquals(a.index(), b.peerIndex());
            there.links().add(LinkSpec.Bridge.named("cbr0"));
            Link c = h.links().add(new LinkSpec.Veth(IfName.of("cw2"), IfName.of("eth1"), other, null, null, null));
            Link d = there.links().get(LinkRef.name("eth1"));
            assertNotEquals(c.index(), d.index());
            assertEquals(d.index(), c.peerIndex(), "the peer's index in its own namespace");
            assertEquals(c.index(), d.peerIndex());
            assertThrows(AlreadyExistsException.class, () -> h.links().add(
                    new LinkSpec.Veth(IfName.of("cw1"), IfName.of("eth0"), other, null, null, null)), "the peer's name is taken there");
            assertTrue(h.links().find(LinkRef.name("cw1")).isEmpty(), "a refused pair leaves no end behind");
            h.links().delete(LinkRef.name("cw0"));
            assertTrue(there.links().find(LinkRef.name("eth0")).isEmpty(), "deleting one end deletes the other");
        }
    }

    @Test
    void takenNamesAndMissingLinksAreTypedErrors() {
        NetnsRef ns = netns("errors");
        try (NetnsHandle h = stack().open(ns)) {
            LinkOps l = h.links();
            Link br = l.add(LinkSpec.Bridge.named("cbr0"));
            l.add(LinkSpec.Veth.pair("ce0", "ce1"));
            assertThrows(AlreadyExistsException.class, () -> l.add(LinkSpec.Bridge.named("cbr0")));
            assertThrows(AlreadyExistsException.class, () -> l.add(LinkSpec.Veth.pair("cbr0", "ce9")));
            assertThrows(AlreadyExistsException.class, () -> l.add(LinkSpec.Veth.pair("ce8", "ce1")), "the peer's name is taken");
            assertTrue(l.find(LinkRef.name("ce8")).isEmpty() && l.find(LinkRef.name("ce9")).isEmpty(), "nothing half made");
            assertEquals(br.index(), l.ensure(LinkSpec.Bridge.named("cbr0")).index(), "ensure of the same kind");
            assertThrows(AlreadyExistsException.class, () -> l.ensure(LinkSpec.Veth.pair("cbr0", "ce7")), "ensure of another kind");
            assertEquals("bridge", l.ensure(LinkSpec.Bridge.named("cbr1")).kind(), "ensure of a new name creates it");
            LinkRef missing = LinkRef.name("nosuch0");
            assertThrows(NotFoundException.class, () -> l.setUp(missing, true));
            assertThrows(NotFoundException.class, () -> l.setMtu(missing, 1400));
            assertThrows(NotFoundException.class, () -> l.setMac(missing, MacAddress.parse("02:00:00:00:00:01")));
            assertThrows(NotFoundException.class, () -> l.setMaster(missing, LinkRef.name("cbr0")));
            assertThrows(NotFoundException.class, () -> l.setMaster(LinkRef.name("ce0"), missing));
            assertThrows(NotFoundException.class, () -> l.rename(missing, IfName.of("ce5")));
            assertThrows(NotFoundException.class, () -> l.set(missing, new LinkChange(true, null, null, null)));
            assertThrows(NotFoundException.class, () -> l.delete(missing));
            assertThrows(NotFoundException.class, () -> l.moveTo(missing, ns));
            assertThrows(AlreadyExistsException.class, () -> l.rename(LinkRef.name("ce0"), IfName.of("cbr0")));
            assertEquals("mtu", assertThrows(InvalidInputException.class, () -> l.setMtu(LinkRef.name("ce0"), 67)).field());
            assertThrows(BackendException.class, () -> l.setMaster(LinkRef.name("ce0"), LinkRef.name("ce1")), "a veth is no bridge");
            assertThrows(BackendException.class, () -> l.delete(LinkRef.name("lo")), "lo cannot be deleted");
        }
    }

    @Test
    void aLinkIsSetUpDownMtuMacMasterAndRenamed() {
        NetnsRef ns = netns("change");
        try (NetnsHandle h = stack().open(ns)) {
            LinkOps l = h.links();
            Link br = l.add(LinkSpec.Bridge.named("cbr0"));
            l.add(LinkSpec.Veth.pair("cc0", "cc1"));
            l.setUp(LinkRef.name("cc0"), true);
            Link a = l.get(LinkRef.name("cc0"));
            assertTrue(a.up());
            assertFalse(a.lowerUp(), "no carrier while the peer is down");
            l.setUp(LinkRef.name("cc1"), true);
            assertTrue(l.get(LinkRef.name("cc0")).lowerUp(), "a carrier once both ends are up");
            l.setUp(LinkRef.name("cc1"), false);
            assertFalse(l.get(LinkRef.name("cc1")).up());
            assertFalse(l.get(LinkRef.name("cc0")).lowerUp());
            l.setMtu(LinkRef.name("cc0"), 1280);
            assertEquals(1280, l.get(LinkRef.name("cc0")).mtu());
            MacAddress mac = MacAddress.parse("02:00:00:00:92:01");
            l.setMac(LinkRef.index(a.index()), mac);
            assertEquals(mac, l.get(LinkRef.name("cc0")).mac());
            l.setMaster(LinkRef.name("cc0"), LinkRef.name("cbr0"));
            assertEquals(br.index(), l.get(LinkRef.name("cc0")).masterIndex());
            l.setMaster(LinkRef.name("cc0"), null);
            assertNull(l.get(LinkRef.name("cc0")).masterIndex(), "nomaster");
            l.setUp(LinkRef.name("cc0"), false);
            l.rename(LinkRef.name("cc0"), IfName.of("cc2"));
            assertTrue(l.find(LinkRef.name("cc0")).isEmpty());
            Link renamed = l.get(LinkRef.name("cc2"));
            assertEquals(a.index(), renamed.index(), "a rename keeps the index");
            assertEquals(mac, renamed.mac());
            assertEquals(renamed.index(), l.get(LinkRef.name("cc1")).peerIndex());
        }
    }

    @Test
    void aMovedLinkIsDownWithoutMasterInItsNewNamespace() {
        NetnsRef ns = netns("move");
        NetnsRef other = netns("move2");
        try (NetnsHandle h = stack().open(ns); NetnsHandle there = stack().open(other)) {
            h.links().add(LinkSpec.Bridge.named("cbr0"));
            h.links().add(LinkSpec.Veth.pair("cm0", "cm1"));
            h.links().setMaster(LinkRef.name("cm0"), LinkRef.name("cbr0"));
            h.links().setUp(LinkRef.name("cm0"), true);
            h.links().setMtu(LinkRef.name("cm0"), 1400);
            h.links().moveTo(LinkRef.name("cm0"), other);
            assertTrue(h.links().find(LinkRef.name("cm0")).isEmpty());
            Link moved = there.links().get(LinkRef.name("cm0"));
            assertEquals("veth", moved.kind());
            assertFalse(moved.up(), "a move sets the link down");
            assertNull(moved.masterIndex(), "and takes it off its bridge");
            assertEquals(1400, moved.mtu());
            assertEquals(h.links().get(LinkRef.name("cm1")).index(), moved.peerIndex());
            assertNotNull(moved.peerNetnsId());
            assertNotNull(h.links().get(LinkRef.name("cm1")).peerNetnsId());
            h.links().add(LinkSpec.Veth.pair("cm0", "cm2"));
            assertThrows(AlreadyExistsException.class, () -> h.links().moveTo(LinkRef.name("cm0"), other), "the name is taken there");
            assertTrue(h.links().find(LinkRef.name("cm0")).isPresent(), "a refused move leaves the link where it was");
        }
    }

    @Test
    void setChangesFlagsAndGroupInOneCallAndLeavesNullsAlone() {
        NetnsRef ns = netns("set");
        try (NetnsHandle h = stack().open(ns)) {
            LinkOps l = h.links();
            l.add(LinkSpec.Bridge.named("cbr0"));
            l.set(LinkRef.name("cbr0"), new LinkChange(true, true, true, 7));
            assertTrue(l.get(LinkRef.name("cbr0")).up());
            assertEquals(new Flags(true, true, 7), flags(ns, "cbr0"));
            l.set(LinkRef.name("cbr0"), new LinkChange(null, false, null, null));
            assertTrue(l.get(LinkRef.name("cbr0")).up(), "null leaves up as it is");
            assertEquals(new Flags(false, true, 7), flags(ns, "cbr0"));
            l.set(LinkRef.name("cbr0"), new LinkChange(false, null, false, 0));
            assertFalse(l.get(LinkRef.name("cbr0")).up());
            assertEquals(new Flags(false, false, 0), flags(ns, "cbr0"));
        }
    }

    @Test
    void deleteGroupDeletesEveryLinkOfTheGroupAndTheirPeers() {
        NetnsRef ns = netns("group");
        try (NetnsHandle h = stack().open(ns)) {
            LinkOps l = h.links();
            l.add(LinkSpec.Veth.pair("cg0", "cg1"));
            l.add(LinkSpec.Veth.pair("cg2", "cg3"));
            l.add(LinkSpec.Bridge.named("cbr0"));
            l.set(LinkRef.name("cg0"), new LinkChange(null, null, null, 4242));
            l.set(LinkRef.name("cbr0"), new LinkChange(null, null, null, 4242));
            assertFalse(l.deleteGroup(4243), "a group without links");
            assertTrue(l.deleteGroup(4242));
            assertEquals(List.of("cg2", "cg3", "lo"), l.list().stream().map(x -> x.name().value()).sorted().toList(),
                    "the group and the veth peer of its member are gone, the rest stays");
            assertFalse(l.deleteGroup(4242), "nothing left in it");
        }
    }

    @Test
    void neighboursAreAddedListedAndDeleted() {
        NetnsRef ns = netns("neigh");
        try (NetnsHandle h = stack().open(ns)) {
            NetworkStackContract.up(h, "cn0", "cn1");
            InetAddress ip = IpAddresses.parse("ip", "10.96.0.9");
            Neighbour n = new Neighbour(ip, MacAddress.parse("02:00:00:00:96:09"), IfName.of("cn0"), true);
            h.neighbours().add(n);
            assertTrue(h.neighbours().list(Family.INET).contains(n), h.neighbours().list(Family.INET).toString());
            assertTrue(h.neighbours().list(Family.INET6).stream().noneMatch(x -> x.address().equals(ip)));
            assertThrows(AlreadyExistsException.class, () -> h.neighbours().add(n));
            Neighbour moved = new Neighbour(ip, MacAddress.parse("02:00:00:00:96:0a"), IfName.of("cn0"), true);
            h.neighbours().replace(moved);
            assertEquals(List.of(moved), h.neighbours().list(Family.INET).stream().filter(x -> x.address().equals(ip)).toList());
            h.neighbours().delete(IfName.of("cn0"), ip);
            assertTrue(h.neighbours().list(Family.INET).stream().noneMatch(x -> x.address().equals(ip)));
            assertThrows(NotFoundException.class, () -> h.neighbours().delete(IfName.of("cn0"), ip));
            assertThrows(NotFoundException.class, () -> h.neighbours().add(
                    new Neighbour(ip, n.mac(), IfName.of("nosuch0"), true)));
        }
    }

    @Test
    void fdbEntriesOfAVxlanDeviceAreAppendedListedAndDeleted() {
        NetnsRef ns = netns("fdb");
        try (NetnsHandle h = stack().open(ns)) {
            h.links().add(new LinkSpec.Other(IfName.of("cvx9"), "vxlan", null, null, null, null,
                    List.of(new LinkSpec.Attr(IFLA_VXLAN_ID, LinkSpec.Attr.As.U32, 9L), new LinkSpec.Attr(IFLA_VXLAN_LEARNING, LinkSpec.Attr.As.U8, 0L),
                            new LinkSpec.Attr(IFLA_VXLAN_PORT, LinkSpec.Attr.As.BE16, 4789L))));
            NeighbourOps.Fdb a = new NeighbourOps.Fdb(IfName.of("cvx9"), MacAddress.parse("02:00:00:00:97:01"), IpAddresses.parse("ip", "10.97.0.1"));
            NeighbourOps.Fdb b = new NeighbourOps.Fdb(IfName.of("cvx9"), MacAddress.parse("02:00:00:00:97:02"), IpAddresses.parse("ip", "10.97.0.2"));
            h.neighbours().appendFdb(a);
            h.neighbours().appendFdb(b);
            h.neighbours().appendFdb(a);
            assertEquals(List.of(a, b), h.neighbours().listFdb(IfName.of("cvx9")).stream()
                    .sorted(java.util.Comparator.comparing(f -> f.mac().toString())).toList(), "appending one again changes nothing");
            h.neighbours().deleteFdb(a);
            assertEquals(List.of(b), h.neighbours().listFdb(IfName.of("cvx9")));
            assertThrows(NotFoundException.class, () -> h.neighbours().deleteFdb(a));
            assertThrows(NotFoundException.class, () -> h.neighbours().appendFdb(new NeighbourOps.Fdb(IfName.of("nosuch0"), a.mac(), a.destination())));
            h.links().delete(LinkRef.name("cvx9"));
        }
    }
}
