package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.NetnsId;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.spi.NetworkStack;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Where a network's host namespace is ({@link HostNamespaces#where}), from the identities a stack reports: the same
 * namespace is here (a record of an earlier release by device and inode too); a gone one is replaced by the namespace
 * that took its place (the same name made again, the machine's own after a reboot), else gone; one a process still
 * holds is elsewhere; a cookie seen again after a reboot is another namespace.
 */
class HostNamespacesTest {
    /** Identities by namespace file; {@link #processes}: the identity of every namespace a process of this machine is in. */
    final Map<Path, NetnsId> ids = new HashMap<>();
    NetnsId processes;

    final NetworkStack stack = (NetworkStack) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {NetworkStack.class},
            (proxy, method, args) -> {
                if (!method.getName().equals("identity")) {
                    throw new UnsupportedOperationException(method.getName());
                }
                Path p = ((NetnsRef) args[0]).path();
                NetnsId id = ids.get(p);
                if (id == null && processes != null && p.startsWith("/proc") && sameFile(p, Path.of("/proc/self/ns/net"))) {
                    id = processes;
                }
                if (id == null) {
                    throw new NotFoundException(p + " not found");
                }
                return id;
            });

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.readAttributes(a, "unix:ino").equals(Files.readAttributes(b, "unix:ino"));
        } catch (Exception e) {
            return false;
        }
    }

    private static NetworkRecord record(String hostNetns, String description, String place) {
        NetworkConfig c = new NetworkConfig("n", "bridge", null, IpPrefix.parse("10.9.0.0/24"), IpAddresses.parse("gw", "10.9.0.1"),
                null, null, Map.of());
        return new NetworkRecord(c, hostNetns, description, place);
    }

    private HostNamespaces at(NetnsRef ref, NetnsId id) {
        ids.put(ref.path(), id);
        return new HostNamespaces(stack, ref);
    }

    @Test
    void theSameNamespaceIsHereAlsoForARecordOfAnEarlierReleaseByDeviceAndInode() {
        HostNamespaces hosts = at(NetnsRef.named("h"), new NetnsId("boot1", 7, 4, 4026532300L));
        assertEquals(HostNamespaces.Where.HERE, hosts.where(record("boot1/7", "namespace \"h\"", "netns:h")));
        assertEquals(HostNamespaces.Where.HERE, hosts.where(record("4:4026532300", "namespace \"h\"", null)));
        assertFalse(hosts.rebooted(record("boot1/7", "namespace \"h\"", "netns:h")));
    }

    @Test
    void aNamedNamespaceMadeAgainTakesTheGoneOnesPlaceAnotherNameDoesNot() {
        NetworkRecord rec = record("boot1/7", "namespace \"h\"", "netns:h");
        assertEquals(HostNamespaces.Where.REPLACED, at(NetnsRef.named("h"), new NetnsId("boot1", 9, 4, 1)).where(rec));
        assertEquals(HostNamespaces.Where.GONE, at(NetnsRef.named("other"), new NetnsId("boot1", 10, 4, 2)).where(rec));
        assertEquals(HostNamespaces.Where.GONE, at(NetnsRef.path(Path.of("/run/x/h")), new NetnsId("boot1", 11, 4, 3)).where(rec),
                "a file of that name elsewhere is another place");
        assertEquals(HostNamespaces.Where.REPLACED, at(NetnsRef.path(Path.of("/run/netns/h")), new NetnsId("boot1", 12, 4, 4)).where(rec),
                "the name's file is that name");
    }

    @Test
    void aNamespaceAProcessStillHoldsIsElsewhere() {
        processes = new NetnsId("boot1", 3, 4, 5);
        HostNamespaces hosts = at(NetnsRef.named("h"), new NetnsId("boot1", 9, 4, 1));
        assertEquals(HostNamespaces.Where.ELSEWHERE, hosts.where(record("boot1/3", "the current namespace", null)));
        assertTrue(hosts.alive("boot1/3"));
        assertFalse(hosts.alive("boot1/4"));
        assertFalse(hosts.alive("not an identity"), "what cannot be read names no namespace that lives");
    }

    @Test
    void aCookieOfAnotherBootIsAnotherNamespaceAndTheMachinesOwnTakesTheOldOnesPlace() {
        processes = new NetnsId("boot2", 3, 4, 5); // this boot's processes: cookie 3 again
        ids.put(Path.of("/proc/1/ns/net"), new NetnsId("boot2", 1, 4, 6));
        HostNamespaces current = at(NetnsRef.current(), new NetnsId("boot2", 1, 4, 6));
        NetworkRecord init = record("boot1/3", "the current namespace", "init");
        assertFalse(current.alive("boot1/3"), "a namespace of the boot before is gone, whatever its cookie");
        assertTrue(current.rebooted(init));
        assertEquals("init", current.herePlace());
        assertEquals(HostNamespaces.Where.REPLACED, current.where(init));
        assertEquals(HostNamespaces.Where.REPLACED, current.where(record("boot1/3", "the current namespace", null)),
                "a record of an earlier release, made in the current namespace before the reboot");
        assertEquals(HostNamespaces.Where.GONE, current.where(record("boot2/8", "the current namespace", null)),
                "no reboot: a process's namespace that went is gone for good");
        assertEquals(HostNamespaces.Where.GONE, at(NetnsRef.named("h"), new NetnsId("boot2", 20, 4, 7)).where(init),
                "a named namespace does not take the machine's place");
    }

    @Test
    void placesInWords() {
        assertEquals("the machine's own namespace", HostNamespaces.describePlace("init"));
        assertEquals("the namespace at /var/run/x", HostNamespaces.describePlace("path:/var/run/x"));
        assertEquals("its namespace", HostNamespaces.describePlace(null));
        assertEquals("netns:h", at(NetnsRef.path(Path.of("/run/netns/h")), new NetnsId("b", 1, 1, 1)).herePlace());
        assertEquals("path:/srv/ns/a", at(NetnsRef.path(Path.of("/srv/ns/../ns/a")), new NetnsId("b", 2, 1, 2)).herePlace());
    }
}
