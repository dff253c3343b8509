package dev.patchbay.core.ipam;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IfName;

/** One owner's interface on a network: CNI's (container id, ifname) pair. */
public record Attachment(String ownerId, IfName ifName) {
    public Attachment {
        IpamNames.checkOwner(ownerId);
        if (ifName == null) {
            throw new InvalidInputException("interface name", null, "is required");
        }
    }

    /** Parses {@code OWNER/IFNAME}. */
    public static Attachment parse(String text) {
        int slash = text == null ? -1 : text.lastIndexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            throw new InvalidInputException("attachment", text, "expected OWNER/IFNAME, e.g. 3f2a9c/eth0");
        }
        return new Attachment(text.substring(0, slash), IfName.of(text.substring(slash + 1)));
    }

    @Override
    public String toString() {
        return ownerId + "/" + ifName;
    }
}
