package dev.patchbay.netlink;

import dev.patchbay.sys.Sys;

/** A negative answer from the kernel (or a failed system call): errno plus the kernel's extended message, if any. */
final class NetlinkError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    NetlinkError(int errno, String kernelMessage) {
        super(Sys.describe(errno) + (kernelMessage == null || kernelMessage.isEmpty() ? "" : ": " + kernelMessage));
        this.errno = errno;
    }

    int errno() {
        return errno;
    }
}
