package dev.patchbay.sys;

/** The Linux errno values (asm-generic errno-base.h and errno.h) that Patchbay compares kernel answers with. */
public final class Errno {
    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EAGAIN = 11, EACCES = 13, EBUSY = 16, EEXIST = 17;
    public static final int ENODEV = 19, EINVAL = 22, EMSGSIZE = 90, ENOPROTOOPT = 92, EOPNOTSUPP = 95;
    public static final int EADDRNOTAVAIL = 99, ENETUNREACH = 101, ENOBUFS = 105;

    private Errno() {
    }
}
