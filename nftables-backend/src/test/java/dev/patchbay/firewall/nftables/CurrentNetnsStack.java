package dev.patchbay.firewall.nftables;

import dev.patchbay.core.errors.BackendException;
import dev.patchbay.sys.Errno;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.errors.UnavailableException;
import dev.patchbay.core.model.NetnsId;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetlinkChannel;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetnsOps;
import dev.patchbay.core.spi.NetworkStack;
import dev.patchbay.sys.LibC;
import dev.patchbay.sys.Sys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * The part of a network stack the nftables backend uses, for the current namespace only (the ITs run in the
 * sandbox's own): its identity, work run in it, and raw netlink sockets opened through dev.patchbay.sys, as the
 * netlink backend opens them. So the backend's tests need no other backend; a namespace other than the current one
 * is refused.
 */
final class CurrentNetnsStack implements NetworkStack {
    private static final int AF_NETLINK = 16;
    private static final int SOL_NETLINK = 270;
    private static final int NETLINK_CAP_ACK = 10;
    private static final int NETLINK_EXT_ACK = 11;

    @Override
    public NetnsHandle open(NetnsRef netns) {
        throw new UnavailableException("the test stack has no namespace handles");
    }

    @Override
    public NetnsOps namespaces() {
        throw new UnavailableException("the test stack cannot manage namespaces");
    }

    @Override
    public <T> T callIn(NetnsRef netns, Callable<T> task) {
        current(netns);
        try {
            return task.call();
        } catch (PatchbayException e) {
            throw e;
        } catch (Exception e) {
            throw new BackendException(e.getMessage(), e);
        }
    }

    @Override
    public NetnsId identity(NetnsRef netns) {
        current(netns);
        try {
            Path ns = Path.of("/proc/self/ns/net");
            return new NetnsId(null, 0, ((Number) Files.getAttribute(ns, "unix:dev")).longValue(),
                    ((Number) Files.getAttribute(ns, "unix:ino")).longValue());
        } catch (IOException e) {
            throw new BackendException("cannot stat /proc/self/ns/net: " + e.getMessage(), e);
        }
    }

    @Override
    public NetlinkChannel openNetlink(NetnsRef netns, int protocol) {
        current(netns);
        return new Channel(protocol);
    }

    private static void current(NetnsRef netns) {
        if (!(netns instanceof NetnsRef.Current)) {
            throw new UnavailableException("the test stack works in the current namespace only, not " + netns.describe());
        }
    }

    /** One raw AF_NETLINK socket: datagrams in and out, the send buffer grown for large batches. */
    private static final class Channel implements NetlinkChannel {
        private final LibC libc = Sys.libc();
        private final int protocol;
        private final int fd;
        private final ByteBuffer kernel = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());
        private final ByteBuffer recv = ByteBuffer.allocateDirect(64 << 10).order(ByteOrder.nativeOrder());
        private boolean closed;

        Channel(int protocol) {
            this.protocol = protocol;
            fd = libc.socket(AF_NETLINK, Sys.SOCK_RAW | Sys.SOCK_CLOEXEC, protocol);
            if (fd < 0) {
                throw new BackendException("socket(AF_NETLINK, " + protocol + "): " + Sys.describe(Sys.errno()));
            }
            kernel.putShort(0, (short) AF_NETLINK);
            // as the netlink backend's sockets: errors carry the offending attribute's offset, not the request
            ByteBuffer on = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putInt(0, 1);
            libc.setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, on, 4);
            libc.setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, on, 4);
            ByteBuffer local = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());
            local.putShort(0, (short) AF_NETLINK);
            if (libc.bind(fd, local, 12) < 0) {
                int errno = Sys.errno();
                libc.close(fd);
                throw new BackendException("bind(AF_NETLINK, " + protocol + "): " + Sys.describe(errno));
            }
        }

        @Override
        public int protocol() {
            return protocol;
        }

        @Override
        public synchronized void send(ByteBuffer datagram) {
            ByteBuffer out = ByteBuffer.allocateDirect(datagram.remaining()).order(datagram.order());
            out.put(datagram.duplicate()).flip();
            if (out.remaining() > 16 << 10) {
                ByteBuffer size = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putInt(0, out.remaining() + 4096);
                libc.setsockopt(fd, Sys.SOL_SOCKET, Sys.SO_SNDBUFFORCE, size, 4);
            }
            long n;
            do {
                n = libc.sendto(fd, out, out.remaining(), 0, kernel, 12);
            } while (n < 0 && Sys.errno() == Errno.EINTR);
            if (n < 0) {
                throw new BackendException("sendto(netlink): " + Sys.describe(Sys.errno()));
            }
        }

        @Override
        public synchronized ByteBuffer receive() {
            long n;
            do {
                recv.clear();
                n = libc.recv(fd, recv, recv.capacity(), 0x20); // MSG_TRUNC: the full length
            } while (n < 0 && Sys.errno() == Errno.EINTR);
            if (n < 0) {
                throw new BackendException("recv(netlink): " + Sys.describe(Sys.errno()));
            }
            if (n > recv.capacity()) {
                throw new BackendException("a netlink datagram of " + n + " bytes did not fit " + recv.capacity());
            }
            ByteBuffer view = recv.duplicate().order(ByteOrder.nativeOrder());
            view.position(0).limit((int) n);
            return view.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                libc.close(fd);
            }
        }
    }
}
