package dev.patchbay.core.ipam;

import dev.patchbay.core.errors.InvalidInputException;

/** Checks for the names that become file names or file content in a data directory. */
public final class IpamNames {
    private IpamNames() {
    }

    /** A network name is a directory name: 1–255 characters, no '/', NUL, line breaks, not starting with '.'. */
    public static String checkNetwork(String network) {
        if (network == null || network.isEmpty() || network.length() > 255 || network.startsWith(".")
                || network.chars().anyMatch(c -> c == '/' || c == 0 || c == '\r' || c == '\n')) {
            throw new InvalidInputException("network", network, "must be 1-255 characters, not start with '.', and hold no '/', NUL or line breaks");
        }
        return network;
    }

    /** An owner id (CNI container id) is stored as one line: non-empty, no line breaks or NUL. */
    public static String checkOwner(String ownerId) {
        if (ownerId == null || ownerId.isBlank() || ownerId.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
            throw new InvalidInputException("owner id", ownerId, "must not be empty, and hold no line breaks or NUL");
        }
        return ownerId;
    }
}
