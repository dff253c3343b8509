package dev.patchbay.netlink.sys;

import java.nio.ByteBuffer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.LongLongByReference;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc calls the backend needs, bound by jnr-ffi. Public because jnr-ffi generates its
 * implementation in a class loader of its own. Buffers are direct ByteBuffers; errno is read
 * through {@link Sys#errno()} right after a call returned -1.
 */
public interface LibC {
    int socket(int domain, int type, int protocol);

    int bind(int fd, @In ByteBuffer addr, int addrlen);

    int setsockopt(int fd, int level, int optname, @In ByteBuffer optval, int optlen);

    @ssize_t long sendto(int fd, @In ByteBuffer buf, @size_t long len, int flags, @In ByteBuffer addr, int addrlen);

    @ssize_t long recvfrom(int fd, @Out ByteBuffer buf, @size_t long len, int flags, ByteBuffer addr, ByteBuffer addrlen);

    int getsockopt(int fd, int level, int optname, @Out LongLongByReference optval, @In @Out IntByReference optlen);

    int ioctl(int fd, long request, @Out LongLongByReference arg);

    int close(int fd);

    int open(String path, int flags, int mode);

    int setns(int fd, int nstype);

    int unshare(int flags);

    int mount(String source, String target, String fstype, long flags, String data);

    int umount2(String target, int flags);

    String strerror(int errnum);
}
