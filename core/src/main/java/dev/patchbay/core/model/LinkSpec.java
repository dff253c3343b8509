package dev.patchbay.core.model;

import dev.patchbay.core.errors.InvalidInputException;
import java.util.List;

/**
 * What to create. A {@code null} field means "the kernel's default" (MTU, MAC, ...).
 */
public sealed interface LinkSpec permits LinkSpec.Bridge, LinkSpec.Veth, LinkSpec.Dummy, LinkSpec.Macvlan {
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

    /** A dummy interface (not built into every kernel). */
    record Dummy(IfName name, Integer mtu) implements LinkSpec {
    }

    /**
     * A macvlan of {@code parent} (a link of the namespace the request is sent to), with its own MAC address
     * on the parent's segment. It is created directly in {@code netns} under {@code name} (no move, no
     * rename), as {@code ip link add link PARENT name NAME netns NS type macvlan mode MODE} does; {@code
     * netns == null} keeps it next to its parent.
     *
     * @param mode {@code bridge}, {@code private}, {@code vepa} or {@code passthru}; {@code null} is the kernel's default (vepa)
     * @since 1.1
     */
    record Macvlan(IfName name, LinkRef parent, String mode, NetnsRef netns, Integer mtu, MacAddress mac) implements LinkSpec {
        /** The modes the kernel knows, in the order of their bit values (1, 2, 4, 8). */
        public static final List<String> MODES = List.of("private", "vepa", "bridge", "passthru");

        public Macvlan {
            if (name == null) {
                throw new InvalidInputException("macvlan name", null, "is required");
            }
            if (parent == null) {
                throw new InvalidInputException("macvlan parent", null, "is required");
            }
            if (mode != null && !MODES.contains(mode)) {
                throw new InvalidInputException("macvlan mode", mode, "must be one of " + String.join(", ", MODES));
            }
        }
    }
}
