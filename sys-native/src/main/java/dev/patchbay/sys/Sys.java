package dev.patchbay.sys;

import java.util.Map;

/** libc through libpatchbay-sys ({@link LibC}), errno of the last failed call, and the names of errno values. */
public final class Sys {
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SO_RCVTIMEO = 20;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int O_RDONLY = 0;
    public static final int O_CREAT = 0x40;
    public static final int O_EXCL = 0x80;
    public static final int O_CLOEXEC = 0x80000;
    /** flock(2) operations. */
    public static final int LOCK_SH = 1;
    public static final int LOCK_EX = 2;
    public static final int LOCK_UN = 8;
    public static final int CLONE_NEWNET = 0x40000000;
    public static final long MS_BIND = 4096;
    public static final long MS_REC = 16384;
    public static final long MS_SHARED = 1 << 20;
    public static final int MNT_DETACH = 2;
    public static final int AF_UNIX = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SO_NETNS_COOKIE = 71;
    /** ioctl on a namespace file: its 64-bit id ({@code _IOR(NSIO, 13, __u64)}, Linux 6.18+). */
    public static final long NS_GET_ID = 0x8008b70dL;

    /** The names errno values are reported with (the ones compared with are constants in {@link Errno}). */
    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(1, "EPERM"), Map.entry(2, "ENOENT"), Map.entry(3, "ESRCH"), Map.entry(4, "EINTR"),
            Map.entry(5, "EIO"), Map.entry(6, "ENXIO"), Map.entry(7, "E2BIG"), Map.entry(9, "EBADF"),
            Map.entry(11, "EAGAIN"), Map.entry(12, "ENOMEM"), Map.entry(13, "EACCES"), Map.entry(14, "EFAULT"),
            Map.entry(16, "EBUSY"), Map.entry(17, "EEXIST"), Map.entry(18, "EXDEV"), Map.entry(19, "ENODEV"),
            Map.entry(20, "ENOTDIR"), Map.entry(21, "EISDIR"), Map.entry(22, "EINVAL"), Map.entry(23, "ENFILE"),
            Map.entry(24, "EMFILE"), Map.entry(28, "ENOSPC"), Map.entry(34, "ERANGE"), Map.entry(36, "ENAMETOOLONG"),
            Map.entry(38, "ENOSYS"), Map.entry(39, "ENOTEMPTY"), Map.entry(40, "ELOOP"), Map.entry(71, "EPROTO"),
            Map.entry(90, "EMSGSIZE"), Map.entry(92, "ENOPROTOOPT"), Map.entry(93, "EPROTONOSUPPORT"), Map.entry(95, "EOPNOTSUPP"),
            Map.entry(97, "EAFNOSUPPORT"), Map.entry(98, "EADDRINUSE"), Map.entry(99, "EADDRNOTAVAIL"),
            Map.entry(100, "ENETDOWN"), Map.entry(101, "ENETUNREACH"), Map.entry(105, "ENOBUFS"),
            Map.entry(107, "ENOTCONN"), Map.entry(110, "ETIMEDOUT"), Map.entry(113, "EHOSTUNREACH"));

    private Sys() {
    }

    /** Loads libpatchbay-sys now (it is otherwise loaded by the first call); a LinkageError says why it cannot be. */
    public static void load() {
        Native.loaded();
    }

    public static LibC libc() {
        return LibC.INSTANCE;
    }

    /** errno of this thread's last failed {@link LibC} call. */
    public static int errno() {
        return LibC.errno();
    }

    /** {@code ENODEV (No such device)}. */
    public static String describe(int errno) {
        String text;
        try {
            text = libc().strerror(errno);
        } catch (RuntimeException | LinkageError e) {
            text = null;
        }
        return NAMES.getOrDefault(errno, "errno " + errno) + (text == null ? "" : " (" + text + ")");
    }
}
