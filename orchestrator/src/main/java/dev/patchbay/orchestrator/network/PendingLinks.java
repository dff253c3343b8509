package dev.patchbay.orchestrator.network;

import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetlinkChannel;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Veth pairs a daemon unplugged and did not delete because it was killed. In a daemon the bridge plugin takes a
 * detached container's host link down at once and puts it in link group {@value #GROUP} ("pbde"), its mark for "to be
 * deleted", then deletes the group in the background (plugins-bridge {@code LinkReaper}); only an unplug marks a link,
 * by its index, so no live attachment's link and no attach in flight is in the group. {@code gc} (and so the daemon's
 * start) deletes what is still marked in its namespace: one RTM_DELLINK of the group, on a raw rtnetlink socket.
 */
final class PendingLinks {
    static final int GROUP = 0x70626465; // plugins-bridge LinkReaper.GROUP
    private static final int ENODEV = 19;

    private PendingLinks() {
    }

    /** Deletes the marked links of {@code netns}; returns the names that went (empty: none, or no raw netlink here). */
    static List<String> sweep(NetworkStack stack, NetnsRef netns) {
        Set<String> before = new HashSet<>();
        try (NetnsHandle h = stack.open(netns)) {
            h.links().list().forEach(l -> before.add(l.name().value()));
            int errno;
            try (NetlinkChannel ch = stack.openNetlink(netns, 0 /* NETLINK_ROUTE */)) {
                ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.nativeOrder());
                b.putInt(40).putShort((short) 17 /* RTM_DELLINK */).putShort((short) (0x1 | 0x4) /* REQUEST, ACK */).putInt(1).putInt(0);
                b.put((byte) 0).put((byte) 0).putShort((short) 0).putInt(0 /* by group */).putInt(0).putInt(0);
                b.putShort((short) 8).putShort((short) 27 /* IFLA_GROUP */).putInt(GROUP);
                ch.send(b.flip());
                errno = ackErrno(ch.receive());
            } catch (RuntimeException noRawNetlink) {
                return List.of();
            }
            if (errno == ENODEV) {
                return List.of(); // nothing marked
            }
            if (errno != 0) {
                throw new dev.patchbay.core.errors.BackendException("deleting link group " + GROUP + " in " + netns.describe()
                        + " failed: errno " + errno);
            }
            for (Link l : h.links().list()) {
                before.remove(l.name().value());
            }
        }
        List<String> gone = new ArrayList<>(before);
        java.util.Collections.sort(gone);
        return gone;
    }

    private static int ackErrno(ByteBuffer r) {
        return r.limit() >= 20 && r.getShort(4) == 2 /* NLMSG_ERROR */ ? -r.getInt(16) : 0;
    }
}
