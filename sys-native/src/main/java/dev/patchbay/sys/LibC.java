package dev.patchbay.sys;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The libc calls Patchbay makes, through libpatchbay-sys (JNI). As in C: a call that fails returns -1 and
 * {@link Sys#errno()}, read on the same thread right after, says why (the errno is taken inside the native call,
 * before the JVM runs anything else on the thread). Buffers are direct ByteBuffers; a buffer to send or fill starts
 * at its position.
 */
public final class LibC {
    private static final ThreadLocal<int[]> ERRNO = ThreadLocal.withInitial(() -> new int[1]);

    static final LibC INSTANCE = new LibC();

    private LibC() {
    }

    /** errno of this thread's last failed call. */
    static int errno() {
        return ERRNO.get()[0];
    }

    private static int check(int r) {
        if (r < 0) {
            ERRNO.get()[0] = -r;
            return -1;
        }
        return r;
    }

    private static long check(long r) {
        if (r < 0) {
            ERRNO.get()[0] = (int) -r;
            return -1;
        }
        return r;
    }

    /** {@code s} as a NUL-terminated UTF-8 array; null for null. */
    public static byte[] cString(String s) {
        if (s == null) {
            return null;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] z = new byte[b.length + 1];
        System.arraycopy(b, 0, z, 0, b.length);
        return z;
    }

    private static ByteBuffer direct(ByteBuffer b) {
        if (b != null && !b.isDirect()) {
            throw new IllegalArgumentException("a buffer passed to C must be direct");
        }
        return b;
    }

    /** A direct buffer C reads {@code len} bytes of, from its start. */
    private static ByteBuffer direct(ByteBuffer b, int len) {
        if (b != null && (len < 0 || len > b.capacity())) {
            throw new IllegalArgumentException(len + " bytes do not fit a buffer of " + b.capacity());
        }
        return direct(b);
    }

    public int socket(int domain, int type, int protocol) {
        return check(Native.socket(domain, type, protocol));
    }

    public int bind(int fd, ByteBuffer addr, int addrlen) {
        return check(Native.bind(fd, direct(addr, addrlen), addrlen));
    }

    public int setsockopt(int fd, int level, int optname, ByteBuffer optval, int optlen) {
        return check(Native.setsockopt(fd, level, optname, direct(optval, optlen), optlen));
    }

    /** Sends {@code len} bytes of {@code buf} from its position. */
    public long sendto(int fd, ByteBuffer buf, long len, int flags, ByteBuffer addr, int addrlen) {
        checkRoom(buf, len);
        return check(Native.sendto(fd, direct(buf), buf.position(), len, flags, direct(addr, addrlen), addrlen));
    }

    /** Receives at most {@code len} bytes into {@code buf} from its position (the buffer's position is not moved). */
    public long recv(int fd, ByteBuffer buf, long len, int flags) {
        checkRoom(buf, len);
        return check(Native.recv(fd, direct(buf), buf.position(), len, flags));
    }

    private static void checkRoom(ByteBuffer buf, long len) {
        if (len < 0 || len > buf.capacity() - buf.position()) {
            throw new IllegalArgumentException(len + " bytes do not fit a buffer of " + buf.capacity() + " from " + buf.position());
        }
    }

    /** A 64-bit socket option into {@code out[0]}. */
    public int getsockopt(int fd, int level, int optname, long[] out) {
        return check(Native.getsockoptLong(fd, level, optname, out));
    }

    /** An ioctl whose argument is a 64-bit value the kernel writes, into {@code out[0]}. */
    public int ioctl(int fd, long request, long[] out) {
        return check(Native.ioctlLong(fd, request, out));
    }

    public int close(int fd) {
        return check(Native.close(fd));
    }

    public int open(String path, int flags, int mode) {
        return check(Native.open(cString(path), flags, mode));
    }

    public int flock(int fd, int operation) {
        return check(Native.flock(fd, operation));
    }

    public int setns(int fd, int nstype) {
        return check(Native.setns(fd, nstype));
    }

    public int unshare(int flags) {
        return check(Native.unshare(flags));
    }

    public int mount(String source, String target, String fstype, long flags, String data) {
        return check(Native.mount(cString(source), cString(target), cString(fstype), flags, cString(data)));
    }

    public int umount2(String target, int flags) {
        return check(Native.umount2(cString(target), flags));
    }

    public String strerror(int errnum) {
        return Native.strerror(errnum);
    }
}
