package dev.patchbay.netlink.wire;

import java.nio.ByteBuffer;

/**
 * {@code struct inet_diag_req_v2}: a sock_diag dump of one family and protocol, of the sockets in the TCP states set in
 * {@code states}; the socket id that follows (ports, addresses, interface, cookie) is left zero: any.
 */
public record InetDiagReq(int family, int protocol, int states) implements NlStruct {
    public static final int SIZE = 56;
    /** {@code struct inet_diag_msg}: family, state, timer, retrans, then the socket id at 4, ..., the inode at 68. */
    public static final int MSG_SIZE = 72;

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public void write(ByteBuffer out) {
        out.put((byte) family).put((byte) protocol).put((byte) 0).put((byte) 0).putInt(states);
        out.put(new byte[SIZE - 8]);
    }
}
