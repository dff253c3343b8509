package dev.patchbay.core.model;

/**
 * Which network namespace, for good: the boot id and the kernel's cookie of the namespace (SO_NETNS_COOKIE, never
 * reused until a reboot), written {@code BOOTID/COOKIE}; plus its file's device and inode, which a later namespace may
 * get. Without a cookie (an old record, a kernel before 5.14) bootId is null, written {@code DEV:INO}. Compare with
 * {@link #sameAs}: equals also compares the device and inode, which the written form leaves out.
 */
public record NetnsId(String bootId, long cookie, long dev, long ino) {
    /** Reads {@code BOOTID/COOKIE} or the old {@code DEV:INO}. */
    public static NetnsId parse(String text) {
        try {
            int slash = text.lastIndexOf('/');
            int colon = text.indexOf(':');
            return slash > 0 ? new NetnsId(text.substring(0, slash), Long.parseUnsignedLong(text.substring(slash + 1)), 0, 0)
                    : new NetnsId(null, 0, Long.parseLong(text.substring(0, colon)), Long.parseLong(text.substring(colon + 1)));
        } catch (RuntimeException e) {
            throw new dev.patchbay.core.errors.InvalidInputException("namespace identity", text, "must be BOOTID/COOKIE or DEV:INO");
        }
    }

    /** The same namespace: by boot id and cookie where both have them, else (an old record) by device and inode. */
    public boolean sameAs(NetnsId o) {
        return bootId != null && o.bootId != null ? bootId.equals(o.bootId) && cookie == o.cookie : dev == o.dev && ino == o.ino;
    }

    @Override
    public String toString() {
        return bootId == null ? dev + ":" + ino : bootId + "/" + Long.toUnsignedString(cookie);
    }
}
