package dev.patchbay.sys;

/** A negative answer from the kernel (or a failed system call): errno plus the kernel's extended message, if any. */
public final class NetlinkError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public NetlinkError(int errno, String kernelMessage) {
        super(Sys.describe(errno) + (kernelMessage == null || kernelMessage.isEmpty() ? "" : ": " + kernelMessage));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
