package dev.patchbay.core.model;

import dev.patchbay.core.errors.InvalidInputException;
import java.util.List;

/**
 * What to create. A {@code null} field means "the kernel's default" (MTU, MAC, ...).
 */
public sealed interface LinkSpec permits LinkSpec.Bridge, LinkSpec.Veth, LinkSpec.Other {
    IfName name();

    /** A Linux bridge. */
    record Bridge(IfName name, Integer mtu, MacAddress mac) implements LinkSpec {
        public static Bridge named(String name) {
            return new Bridge(new IfName(name), null, null);
        }
    }

    /**
     * A veth pair whose peer is created directly in {@code peerNetns} (null: next to this end) under {@code peerName}, no
     * move, no rename: a container's {@code eth0} in one request.
     */
    record Veth(IfName name, IfName peerName, NetnsRef peerNetns, Integer mtu, MacAddress mac, MacAddress peerMac)
            implements LinkSpec {
        public static Veth pair(String name, String peerName) {
            return new Veth(new IfName(name), new IfName(peerName), null, null, null, null);
        }
    }

    /**
     * Any other kind of link ({@code dummy}, {@code macvlan}, {@code vxlan}, ...): {@code kind} is what {@code ip link add
     * ... type KIND} names, {@code data} the kind's attributes (IFLA_INFO_DATA) in order (macvlan's IFLA_MACVLAN_MODE is 1,
     * a U32). It is made on {@code parent} (null: none), a link of the namespace the request is sent to, directly in
     * {@code netns} (null: there). The backend encodes every byte; the kernel judges the attributes. @since 1.4
     */
    record Other(IfName name, String kind, LinkRef parent, NetnsRef netns, Integer mtu, MacAddress mac, List<Attr> data)
            implements LinkSpec {
        public Other {
            if (name == null || kind == null || !kind.matches("[a-z][a-z0-9_]{0,15}")) {
                throw new InvalidInputException("link kind", kind, "a name and a kind of 1-16 lowercase letters, digits, '_' are required");
            }
            data = List.copyOf(data == null ? List.of() : data);
        }

        /** A link of {@code kind} with no parent nor attributes, e.g. {@code Other.of("d0", "dummy")}. @since 2.0 */
        public static Other of(String name, String kind) {
            return new Other(new IfName(name), kind, null, null, null, null, null);
        }
    }

    /**
     * One attribute of a kind's IFLA_INFO_DATA: its number in the kind's enum (vxlan's IFLA_VXLAN_ID is 1) and a value the
     * backend writes {@code as} said: an unsigned integer of 1, 2, 4 or 8 bytes in host order ({@code BE16}: 2 bytes in
     * network order, as ports are), a NUL-terminated string, an address (4 or 16 bytes), a flag (no payload) or raw bytes.
     * {@code value}: a Long for the integers, a String, an InetAddress, a byte[]; null for a flag. @since 1.4
     */
    record Attr(int type, As as, Object value) {
        public enum As { U8, U16, BE16, U32, U64, STRING, ADDRESS, FLAG, BYTES }

        public Attr {
            Class<?> held = as == null ? null : switch (as) {
                case STRING -> String.class;
                case ADDRESS -> java.net.InetAddress.class;
                case BYTES -> byte[].class;
                case FLAG -> Void.class;
                default -> Long.class;
            };
            long max = as == As.U8 ? 0xff : as == As.U16 || as == As.BE16 ? 0xffff : as == As.U32 ? 0xffffffffL : Long.MAX_VALUE;
            if (type < 1 || type > 0x3fff || held == null || (value == null ? held != Void.class : !held.isInstance(value))
                    || (value instanceof Long n && as != As.U64 && (n < 0 || n > max))) {
                throw new InvalidInputException("link attribute " + type, value, "must be numbered 1-16383 and hold a value of its type " + as);
            }
        }
    }
}
