package dev.patchbay.netlink.sys;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/** Loads libc once (lazily: the first call pays jnr-ffi's start-up) and names errno values. */
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
    public static final int CLONE_NEWNET = 0x40000000;
    public static final long MS_BIND = 4096;
    public static final long MS_REC = 16384;
    public static final long MS_SHARED = 1 << 20;
    public static final int MNT_DETACH = 2;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int EINVAL = 22;

    private Sys() {
    }

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).failImmediately().load("c");
        static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
    }

    public static LibC libc() {
        return Holder.LIBC;
    }

    /** errno of the last call on this thread. */
    public static int errno() {
        return Holder.RUNTIME.getLastError();
    }

    /** {@code ENODEV (No such device)}. */
    public static String describe(int errno) {
        String text;
        try {
            text = libc().strerror(errno);
        } catch (RuntimeException | LinkageError e) {
            text = null;
        }
        return Errno.name(errno) + (text == null ? "" : " (" + text + ")");
    }
}
