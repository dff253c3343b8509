package dev.patchbay.sys;


import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One netlink file descriptor of any protocol: opening (with extended and capped ACKs), sending one
 * datagram, receiving one. It belongs to the namespace of the thread that opened it, for good. Shared by the
 * bundles that speak netlink (rtnetlink in netlink-backend, nfnetlink in nftables-backend); the messages are theirs.
 * Not synchronised: its owner serialises.
 */
public final class NetlinkFd {
    public static final int AF_NETLINK = 16, SOL_NETLINK = 270, NETLINK_CAP_ACK = 10, NETLINK_EXT_ACK = 11;
    /** {@code NETLINK_NETFILTER}: nfnetlink, the protocol of nf_tables. */
    public static final int NETLINK_NETFILTER = 12;
    /** recv flag: return the datagram's real length even when it did not fit. */
    public static final int MSG_TRUNC = 0x20;
    private static final int RCVBUF = 8 << 20;
    /** Datagrams up to this size fit any default send buffer (wmem_default is far larger). */
    private static final int DEFAULT_SEND = 16 << 10;

    private final LibC libc;
    private final int fd;
    private volatile boolean closed;
    private final int protocol;
    private final ByteBuffer kernel = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());
    private final ByteBuffer opt = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
    /** Send buffer size asked for so far (0: the default). */
    private int sendBuffer;

    private NetlinkFd(LibC libc, int fd, int protocol) {
        this.libc = libc;
        this.fd = fd;
        this.protocol = protocol;
        kernel.putShort(0, (short) AF_NETLINK);
    }

    /**
     * Opens a socket of {@code protocol} in the calling thread's namespace, subscribed to the multicast
     * {@code groups} (0 for none). A subscribed socket wakes at least every 200 ms (SO_RCVTIMEO) so
     * that its reader can notice a close.
     */
    public static NetlinkFd open(int protocol, int groups) {
        LibC libc = Sys.libc();
        int fd = libc.socket(AF_NETLINK, Sys.SOCK_RAW | Sys.SOCK_CLOEXEC, protocol);
        if (fd < 0) {
            throw new NetlinkError(Sys.errno(), "socket(AF_NETLINK, protocol " + protocol + ")");
        }
        try {
            ByteBuffer opt = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
            opt.putInt(0, RCVBUF);
            if (libc.setsockopt(fd, Sys.SOL_SOCKET, Sys.SO_RCVBUFFORCE, opt, 4) < 0) {
                libc.setsockopt(fd, Sys.SOL_SOCKET, Sys.SO_RCVBUF, opt, 4);
            }
            opt.putInt(0, 1);
            libc.setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, opt, 4); // kernel error strings; optional
            libc.setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, opt, 4); // errors without the echoed request
            if (groups != 0) {
                ByteBuffer tv = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
                tv.putLong(0, 0).putLong(8, 200_000);
                libc.setsockopt(fd, Sys.SOL_SOCKET, Sys.SO_RCVTIMEO, tv, 16);
            }
            ByteBuffer addr = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());
            addr.putShort(0, (short) AF_NETLINK);
            addr.putInt(8, groups);
            if (libc.bind(fd, addr, 12) < 0) {
                throw new NetlinkError(Sys.errno(), "bind(AF_NETLINK, protocol " + protocol + ")");
            }
            return new NetlinkFd(libc, fd, protocol);
        } catch (RuntimeException e) {
            libc.close(fd);
            throw e;
        }
    }

    public int protocol() {
        return protocol;
    }

    /** Sends {@code out} (position to limit; a direct buffer) in one sendto, growing the send buffer first if needed. */
    public void send(ByteBuffer out) {
        int len = out.remaining();
        if (len > DEFAULT_SEND && len + 4096 > sendBuffer) {
            growSendBuffer(len + 4096);
        }
        while (true) {
            long n = libc.sendto(fd, out, len, 0, kernel, 12);
            if (n >= 0) {
                return;
            }
            int errno = Sys.errno();
            if (errno == Errno.EMSGSIZE) {
                throw new NetlinkError(errno, "sendto(netlink): a " + len + "-byte datagram does not fit the send buffer"
                        + " (SO_SNDBUFFORCE needs CAP_NET_ADMIN; net.core.wmem_max caps SO_SNDBUF)");
            }
            if (errno != Errno.EINTR) {
                throw new NetlinkError(errno, "sendto(netlink)");
            }
        }
    }

    private void growSendBuffer(int size) {
        opt.putInt(0, size); // the kernel doubles it: room for the skb overhead
        if (libc.setsockopt(fd, Sys.SOL_SOCKET, Sys.SO_SNDBUFFORCE, opt, 4) < 0) {
            libc.setsockopt(fd, Sys.SOL_SOCKET, Sys.SO_SNDBUF, opt, 4);
        }
        sendBuffer = size;
    }

    /** One recv into {@code buf} (cleared first): the datagram's full length, or -errno. */
    public long receive(ByteBuffer buf) {
        buf.clear();
        long n = libc.recv(fd, buf, buf.capacity(), MSG_TRUNC);
        return n >= 0 ? n : -Sys.errno();
    }

    /** Throws if closed; {@code what} names the owner in the message ("netlink socket", "netlink channel"). */
    public void checkOpen(String what) {
        if (closed) {
            throw new IllegalStateException(what + " is closed");
        }
    }

    /** Closes the descriptor once; later calls do nothing. */
    public synchronized void close() {
        if (!closed) {
            closed = true;
            libc.close(fd);
        }
    }
}
