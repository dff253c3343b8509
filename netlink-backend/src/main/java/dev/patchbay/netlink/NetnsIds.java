package dev.patchbay.netlink;

import dev.patchbay.sys.NetlinkError;
import dev.patchbay.core.errors.BackendException;
import dev.patchbay.sys.Errno;
import dev.patchbay.core.model.NetnsId;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.sys.LibC;
import dev.patchbay.sys.Sys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The one computation of a namespace's {@link NetnsId}. The namespace file is opened once, and all is read from
 * that open file, so that it is of one namespace even if the path is bound to another meanwhile: its device and
 * inode, and the kernel's cookie of the namespace, by ioctl NS_GET_ID on it where the kernel has that (Linux 6.18+,
 * checked once to answer what SO_NETNS_COOKIE answers), so no thread has to enter the namespace; else by
 * getsockopt(SO_NETNS_COOKIE) on a socket made inside it by a namespace worker (Linux 5.14+). An older kernel has no
 * cookie (nor where the boot id cannot be read): the identity is then the device and inode alone ({@code DEV:INO}),
 * which a later namespace may get again.
 * Nothing is cached: a path may name another namespace at any time, and Linux gives a new namespace the inode of one
 * freed before it (often the very same number), so no cache keyed by path, device or inode could tell them apart.
 */
final class NetnsIds {
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

    /** Where cookies come from on this kernel. */
    enum Source { NS_GET_ID, SOCKET, NONE }

    private static volatile Source source;
    private static volatile String bootId;

    private NetnsIds() {
    }

    static NetnsId of(NetnsRef netns) {
        Source from = source();
        int fd = NetnsThreads.openNetns(netns); // NotFoundException naming the namespace
        try {
            Map<String, Object> a = Files.readAttributes(Path.of("/proc/self/fd/" + fd), "unix:dev,ino");
            long dev = (Long) a.get("dev");
            long ino = (Long) a.get("ino");
            if (from == Source.NONE) {
                return new NetnsId(null, 0, dev, ino);
            }
            long cookie = from == Source.NS_GET_ID ? nsGetId(fd, netns)
                    : netns instanceof NetnsRef.Current ? socketCookie() : NetnsWorkers.call(netns, fd, NetnsIds::socketCookie);
            return new NetnsId(bootId, cookie, dev, ino);
        } catch (IOException | NetlinkError e) {
            throw new BackendException("failed to identify " + netns.describe() + ": " + e.getMessage(), e);
        } finally {
            Sys.libc().close(fd);
        }
    }

    /** The cookie of the namespace the open namespace file {@code fd} refers to, without entering it. */
    static long nsGetId(int fd, NetnsRef netns) {
        long[] id = new long[1];
        if (Sys.libc().ioctl(fd, Sys.NS_GET_ID, id) < 0) {
            throw new NetlinkError(Sys.errno(), "ioctl(NS_GET_ID) on " + netns.path());
        }
        return id[0];
    }

    /** The cookie of the calling thread's namespace, from a socket made in it. */
    static long socketCookie() {
        LibC libc = Sys.libc();
        int s = libc.socket(Sys.AF_UNIX, Sys.SOCK_DGRAM | Sys.SOCK_CLOEXEC, 0);
        if (s < 0) {
            throw new NetlinkError(Sys.errno(), "socket(AF_UNIX)");
        }
        try {
            long[] cookie = new long[1];
            if (libc.getsockopt(s, Sys.SOL_SOCKET, Sys.SO_NETNS_COOKIE, cookie) < 0) {
                throw new NetlinkError(Sys.errno(), "getsockopt(SO_NETNS_COOKIE)");
            }
            return cookie[0];
        } finally {
            libc.close(s);
        }
    }

    /** Finds out once (in the calling thread's namespace) where cookies come from, and reads the boot id. */
    static Source source() {
        Source s = source;
        if (s != null) {
            return s;
        }
        String boot;
        try {
            boot = Files.readString(BOOT_ID).strip();
        } catch (IOException e) {
            return source = Source.NONE; // no boot id to make a cookie unique across reboots: device and inode it is
        }
        long cookie;
        try {
            cookie = socketCookie();
        } catch (NetlinkError e) {
            if (e.errno() != Errno.ENOPROTOOPT) {
                throw new BackendException("failed to read the namespace cookie: " + e.getMessage(), e);
            }
            return source = Source.NONE; // before Linux 5.14
        }
        int fd = NetnsThreads.openNetns(NetnsRef.current());
        try {
            long[] id = new long[1];
            s = Sys.libc().ioctl(fd, Sys.NS_GET_ID, id) == 0 && id[0] == cookie ? Source.NS_GET_ID : Source.SOCKET;
        } finally {
            Sys.libc().close(fd);
        }
        bootId = boot;
        return source = s;
    }
}
