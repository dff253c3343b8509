package dev.patchbay.orchestrator.network;

import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.Protocol;
import dev.patchbay.core.spi.NetlinkChannel;
import dev.patchbay.core.spi.NetworkStack;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The sockets {@link HostPorts} looks for (TCP listening, UDP unconnected), asked of the kernel's sock_diag
 * ({@code NETLINK_SOCK_DIAG}, {@code SOCK_DIAG_BY_FAMILY}, as {@code ss -l} does) in the host namespace: four dumps of a
 * few dozen microseconds. {@code /proc/net/tcp} and {@code tcp6} hold the same lines but walk the kernel's whole
 * established hash on every read (on the build VM 2-5 ms per read, two reads per file, in any namespace: the table is
 * global), which made each publish 10-15 ms slower. A dump asking for the LISTEN state alone reads the listening
 * hash only. Null when this stack cannot open raw netlink sockets or the kernel has no sock_diag: then /proc is read.
 */
final class SockDiag {
    private static final int NETLINK_SOCK_DIAG = 4;
    private static final short SOCK_DIAG_BY_FAMILY = 20;
    private static final short NLMSG_ERROR = 2;
    private static final short NLMSG_DONE = 3;
    private static final short NLM_F_REQUEST_DUMP = 0x1 | 0x300;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int IPPROTO_TCP = 6;
    private static final int IPPROTO_UDP = 17;
    private static final int TCP_LISTEN = 10; // "0A" in /proc/net/tcp
    private static final int TCP_CLOSE = 7; // "07" in /proc/net/udp: bound, not connected
    private static final int REQ_LEN = 16 + 56; // nlmsghdr + inet_diag_req_v2
    private static final int MSG_LEN = 72; // inet_diag_msg

    private SockDiag() {
    }

    /** The sockets bound in {@code netns} that {@link HostPorts} checks, in /proc's order (tcp, tcp6, udp, udp6); or null. */
    static List<HostPorts.Listener> listeners(NetworkStack stack, NetnsRef netns) {
        try (NetlinkChannel ch = stack.openNetlink(netns, NETLINK_SOCK_DIAG)) {
            List<HostPorts.Listener> out = new ArrayList<>();
            int seq = 1;
            for (int proto : new int[] {IPPROTO_TCP, IPPROTO_UDP}) {
                for (int family : new int[] {AF_INET, AF_INET6}) {
                    if (!dump(ch, seq++, family, proto, out)) {
                        return null;
                    }
                }
            }
            return out;
        } catch (RuntimeException e) {
            return null; // no raw netlink in this stack, or no sock_diag in this kernel: /proc tells the same
        }
    }

    /** One dump; false when the kernel refuses it (no inet_diag for this protocol: the caller reads /proc). */
    private static boolean dump(NetlinkChannel ch, int seq, int family, int proto, List<HostPorts.Listener> out) {
        ByteBuffer b = ByteBuffer.allocate(REQ_LEN).order(ByteOrder.nativeOrder());
        b.putInt(REQ_LEN).putShort(SOCK_DIAG_BY_FAMILY).putShort(NLM_F_REQUEST_DUMP).putInt(seq).putInt(0);
        b.put((byte) family).put((byte) proto).put((byte) 0).put((byte) 0);
        b.putInt(1 << (proto == IPPROTO_TCP ? TCP_LISTEN : TCP_CLOSE)); // the rest, inet_diag_sockid: zero (any)
        b.position(0).limit(REQ_LEN);
        ch.send(b);
        Protocol protocol = proto == IPPROTO_TCP ? Protocol.TCP : Protocol.UDP;
        while (true) {
            ByteBuffer r = ch.receive();
            for (int at = 0; at + 16 <= r.limit(); ) {
                int len = r.getInt(at);
                short type = r.getShort(at + 4);
                if (len < 16 || at + len > r.limit()) {
                    return false;
                }
                if (r.getInt(at + 8) == seq) {
                    if (type == NLMSG_DONE) {
                        return true;
                    }
                    if (type == NLMSG_ERROR) {
                        return false;
                    }
                    if (type == SOCK_DIAG_BY_FAMILY && len >= 16 + MSG_LEN) {
                        out.add(listener(r, at + 16, protocol));
                    }
                }
                at += (len + 3) & ~3;
            }
        }
    }

    /** An inet_diag_msg: family, state, then the socket id (ports big-endian, addresses in network order), ..., inode. */
    private static HostPorts.Listener listener(ByteBuffer r, int m, Protocol protocol) {
        int family = r.get(m) & 0xff;
        int port = ((r.get(m + 4) & 0xff) << 8) | (r.get(m + 5) & 0xff);
        byte[] addr = new byte[family == AF_INET6 ? 16 : 4];
        for (int i = 0; i < addr.length; i++) {
            addr[i] = r.get(m + 8 + i);
        }
        long inode = r.getInt(m + 68) & 0xffffffffL;
        try {
            return new HostPorts.Listener(protocol, InetAddress.getByAddress(addr), port, inode);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // 4 or 16 bytes: never
        }
    }
}
