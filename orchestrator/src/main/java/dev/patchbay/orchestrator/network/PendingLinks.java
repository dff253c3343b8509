package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.UnavailableException;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Veth pairs a daemon unplugged and did not delete because it was killed. In a daemon the bridge plugin takes a
 * detached container's host link down at once and puts it in link group {@value #GROUP} ("pbde"), its mark for "to be
 * deleted", then deletes the group in the background (plugins-bridge {@code LinkReaper}); only an unplug marks a link,
 * by its index, so no live attachment's link and no attach in flight is in the group. {@code gc} (and so the daemon's
 * start) deletes what is still marked in its namespace: one deletion of the group.
 */
final class PendingLinks {
    static final int GROUP = 0x70626465; // plugins-bridge LinkReaper.GROUP

    private PendingLinks() {
    }

    /** Deletes the marked links of {@code netns} in one request; false if it had none (or the stack knows no groups). */
    static boolean finish(NetworkStack stack, NetnsRef netns) {
        try (NetnsHandle h = stack.open(netns)) {
            return h.links().deleteGroup(GROUP);
        } catch (UnavailableException noGroups) {
            return false;
        }
    }

    /** Deletes the marked links of {@code netns}; returns the names that went (empty: none, or a stack without groups). */
    static List<String> sweep(NetworkStack stack, NetnsRef netns) {
        Set<String> before = new HashSet<>();
        try (NetnsHandle h = stack.open(netns)) {
            h.links().list().forEach(l -> before.add(l.name().value()));
            try {
                if (!h.links().deleteGroup(GROUP)) {
                    return List.of(); // nothing marked
                }
            } catch (UnavailableException noGroups) {
                return List.of();
            }
            for (Link l : h.links().list()) {
                before.remove(l.name().value());
            }
        }
        List<String> gone = new ArrayList<>(before);
        java.util.Collections.sort(gone);
        return gone;
    }
}
