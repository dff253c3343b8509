package dev.patchbay.core.model;

/**
 * What to create. A {@code null} field means "the kernel's default" (MTU, MAC, ...).
 */
public sealed interface LinkSpec permits LinkSpec.Bridge, LinkSpec.Veth, LinkSpec.Dummy {
    IfName name();

    /** A Linux bridge. */
    record Bridge(IfName name, Integer mtu, MacAddress mac) implements LinkSpec {
        public static Bridge named(String name) {
            return new Bridge(new IfName(name), null, null);
        }
    }

    /**
     * A veth pair. The peer is created directly in {@code peerNetns} under {@code peerName}
     * (no move, no rename): the way to give a container its {@code eth0} in one request.
     * {@code peerNetns == null} keeps the peer next to this end.
     */
    record Veth(IfName name, IfName peerName, NetnsRef peerNetns, Integer mtu, MacAddress mac, MacAddress peerMac)
            implements LinkSpec {
        public static Veth pair(String name, String peerName) {
            return new Veth(new IfName(name), new IfName(peerName), null, null, null, null);
        }
    }

    /** A dummy interface (not built into every kernel). */
    record Dummy(IfName name, Integer mtu) implements LinkSpec {
    }
}
