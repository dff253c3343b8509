package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.network.NetworkContext;
import java.util.List;
import java.util.Optional;

/**
 * The MAC a container asks for: one an interface can have (not all-zero, not a group address: broadcast and multicast
 * have bit 0 of the first octet set; the kernel refuses them only when the veth is made, and names no MAC), and one
 * nobody holds on the network already (two interfaces with one MAC on a bridge both lose their traffic).
 */
public final class Macs {
    private Macs() {
    }

    /** Why {@code mac} cannot be an interface's, or empty when it can (null: none asked). */
    public static Optional<String> unusable(MacAddress mac) {
        if (mac == null) {
            return Optional.empty();
        }
        byte[] b = mac.bytes();
        if (java.util.Arrays.equals(b, new byte[6])) {
            return Optional.of("is all zero: not an interface's address");
        }
        if ((b[0] & 0x01) != 0) {
            return Optional.of(java.util.Arrays.equals(b, new byte[] {-1, -1, -1, -1, -1, -1}) ? "is the broadcast address: not an interface's"
                    : "is a multicast address (bit 0 of the first octet set): not an interface's");
        }
        return Optional.empty();
    }

    static void checkUsable(MacAddress mac) {
        unusable(mac).ifPresent(why -> {
            throw new InvalidInputException("mac", mac, why);
        });
    }

    /**
     * Who holds {@code mac} on the network: an attachment's record, else the network's host interface (a bridge) or a
     * link whose master it is, in the host namespace; empty when nobody does.
     */
    static Optional<String> holder(List<Attachment> attachments, NetworkContext ctx, MacAddress mac) {
        return holder(attachments, ctx, mac, null);
    }

    /** As {@link #holder(List, NetworkContext, MacAddress)}, the attachment recorded as {@code except} left out. */
    static Optional<String> holder(List<Attachment> attachments, NetworkContext ctx, MacAddress mac, String except) {
        if (mac == null) {
            return Optional.empty();
        }
        for (Attachment a : attachments) {
            if (mac.equals(a.mac()) && !a.containerId().equals(except)) {
                return Optional.of("attachment \"" + a.containerId() + "\" (" + a.ifName() + ")");
            }
        }
        IfName hi = ctx.hostInterface();
        if (hi == null || ctx.host() == null) {
            return Optional.empty();
        }
        List<Link> links = ctx.host().links().list();
        Optional<Link> master = links.stream().filter(l -> l.name().equals(hi)).findFirst();
        for (Link l : links) {
            boolean onIt = l.name().equals(hi) || (master.isPresent() && Integer.valueOf(master.get().index()).equals(l.masterIndex()));
            if (onIt && mac.equals(l.mac())) {
                return Optional.of(l.name().equals(hi) ? (l.kind() == null ? "interface " : l.kind() + " ") + hi
                        : "link " + l.name() + " (a port of " + hi + ")");
            }
        }
        return Optional.empty();
    }

    static void checkFree(List<Attachment> attachments, NetworkContext ctx, MacAddress mac) {
        holder(attachments, ctx, mac).ifPresent(who -> {
            throw new InvalidInputException("mac", mac, "is held on network \"" + ctx.config().name() + "\" by " + who);
        });
    }
}
