package dev.patchbay.core.ipam;

import dev.patchbay.core.errors.InvalidInputException;

/** Checks for the names that become file names or file content in a data directory. */
public final class IpamNames {
    private IpamNames() {
    }

    /** A network name is a directory name: 1–255 characters, no '/', NUL, line breaks, not "." or "..". */
    public static String checkNetwork(String network) {
        if (network == null || network.isEmpty() || network.length() > 255) {
            throw new InvalidInputException("network", network, "must be 1-255 characters");
        }
        if (network.equals(".") || network.equals("..") || network.startsWith(".")) {
            throw new InvalidInputException("network", network, "must not start with '.'");
        }
        if (network.chars().anyMatch(c -> c == '/' || c == 0 || c == '\r' || c == '\n')) {
            throw new InvalidInputException("network", network, "must not contain '/', NUL or line breaks");
        }
        return network;
    }

    /** An owner id (CNI container id) is stored as one line: non-empty, no line breaks or NUL. */
    public static String checkOwner(String ownerId) {
        if (ownerId == null || ownerId.isBlank()) {
            throw new InvalidInputException("owner id", ownerId, "must not be empty");
        }
        if (ownerId.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
            throw new InvalidInputException("owner id", ownerId, "must not contain line breaks or NUL");
        }
        return ownerId;
    }
}
