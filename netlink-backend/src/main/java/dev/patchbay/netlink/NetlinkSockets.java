package dev.patchbay.netlink;

import dev.patchbay.sys.NetlinkError;
import static dev.patchbay.netlink.wire.Rtnetlink.*;

import dev.patchbay.core.errors.UnavailableException;
import dev.patchbay.core.model.ListeningSocket;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.Protocol;
import dev.patchbay.netlink.wire.InetDiagReq;
import dev.patchbay.netlink.wire.NlMessage;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Listening sockets from the kernel's sock_diag ({@code NETLINK_SOCK_DIAG}, {@code SOCK_DIAG_BY_FAMILY}, as {@code ss -l}
 * does): four dumps of a few dozen microseconds (tcp, tcp6, udp, udp6). A dump asking for one state reads that state's
 * hash only, where {@code /proc/net/tcp} walks the whole established hash on every read. The socket is made inside the
 * namespace on first use and kept with the handle.
 */
final class NetlinkSockets implements AutoCloseable {
    private static final int IPPROTO_TCP = 6;
    private static final int IPPROTO_UDP = 17;
    private static final int TCP_LISTEN = 10; // "0A" in /proc/net/tcp
    private static final int TCP_CLOSE = 7; // "07" in /proc/net/udp: bound, not connected

    private final NetnsRef netns;
    private NetlinkSocket socket; // guarded by this

    NetlinkSockets(NetnsRef netns) {
        this.netns = netns;
    }

    synchronized List<ListeningSocket> listening() {
        try {
            if (socket == null) {
                socket = netns instanceof NetnsRef.Current ? NetlinkSocket.openProtocol(NETLINK_SOCK_DIAG)
                        : NetnsThreads.callIn(netns, () -> NetlinkSocket.openProtocol(NETLINK_SOCK_DIAG));
            }
            List<ListeningSocket> out = new ArrayList<>();
            for (int proto : new int[] {IPPROTO_TCP, IPPROTO_UDP}) {
                for (int family : new int[] {AF_INET, AF_INET6}) {
                    InetDiagReq req = new InetDiagReq(family, proto, 1 << (proto == IPPROTO_TCP ? TCP_LISTEN : TCP_CLOSE));
                    Protocol p = proto == IPPROTO_TCP ? Protocol.TCP : Protocol.UDP;
                    out.addAll(socket.dump(SOCK_DIAG_BY_FAMILY, req, m -> decode(m, p)));
                }
            }
            return out;
        } catch (NetlinkError e) {
            throw new UnavailableException("cannot list the listening sockets of " + netns.describe()
                    + ": the kernel's sock_diag refused: " + e.getMessage(), e);
        }
    }

    /** An inet_diag_msg: ports big-endian, addresses in network order. */
    static ListeningSocket decode(NlMessage m, Protocol protocol) {
        if (m.type() != SOCK_DIAG_BY_FAMILY || m.end() - m.payload() < InetDiagReq.MSG_SIZE) {
            return null;
        }
        ByteBuffer r = m.buf();
        int at = m.payload();
        int family = r.get(at) & 0xff;
        int port = ((r.get(at + 4) & 0xff) << 8) | (r.get(at + 5) & 0xff);
        byte[] addr = new byte[family == AF_INET6 ? 16 : 4];
        for (int i = 0; i < addr.length; i++) {
            addr[i] = r.get(at + 8 + i);
        }
        long inode = r.getInt(at + 68) & 0xffffffffL;
        try {
            return new ListeningSocket(protocol, InetAddress.getByAddress(addr), port, inode);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // 4 or 16 bytes: never
        }
    }

    @Override
    public synchronized void close() {
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }
}
