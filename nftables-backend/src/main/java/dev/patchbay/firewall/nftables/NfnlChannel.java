package dev.patchbay.firewall.nftables;

import dev.patchbay.sys.Errno;
import dev.patchbay.sys.NetlinkError;
import dev.patchbay.sys.NetlinkFd;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A NETLINK_NETFILTER socket for the set-element batches, in the namespace of the thread that opened it: whole
 * datagrams in and out, nothing decoded (the messages are {@code nfnl}'s). One caller at a time.
 */
interface NfnlChannel extends AutoCloseable {
    /** Sends {@code datagram} (whole messages, native order) from its position to its limit in one sendto: one batch. */
    void send(ByteBuffer datagram);

    /** Blocks for the next datagram: a read-only view, valid until the next call; one too big for the buffer is an error. */
    ByteBuffer receive();

    @Override
    void close();

    /** Opens one in the calling thread's namespace. */
    static NfnlChannel open() {
        return new Socket(NetlinkFd.open(NetlinkFd.NETLINK_NETFILTER, 0));
    }

    /** Over one {@link NetlinkFd}. */
    final class Socket implements NfnlChannel {
        private static final int RECV_SIZE = 64 << 10;
        private final NetlinkFd fd;
        private final ByteBuffer recv = ByteBuffer.allocateDirect(RECV_SIZE).order(ByteOrder.nativeOrder());
        /** Copy of a heap datagram: sendto needs native memory. */
        private ByteBuffer out = ByteBuffer.allocateDirect(0);

        private Socket(NetlinkFd fd) {
            this.fd = fd;
        }

        @Override
        public synchronized void send(ByteBuffer datagram) {
            fd.checkOpen("nfnetlink channel");
            ByteBuffer direct = datagram;
            if (!datagram.isDirect()) {
                if (out.capacity() < datagram.remaining()) {
                    out = ByteBuffer.allocateDirect(Math.max(datagram.remaining(), 2 * out.capacity()));
                }
                out.clear();
                out.put(datagram.duplicate()).flip();
                direct = out;
            }
            fd.send(direct);
        }

        @Override
        public synchronized ByteBuffer receive() {
            fd.checkOpen("nfnetlink channel");
            while (true) {
                long n = fd.receive(recv);
                if (n > RECV_SIZE) {
                    throw new NetlinkError(Errno.EMSGSIZE, "a " + n + "-byte nfnetlink answer does not fit " + RECV_SIZE + " bytes");
                }
                if (n >= 0) {
                    return recv.duplicate().position(0).limit((int) n).asReadOnlyBuffer().order(ByteOrder.nativeOrder());
                }
                if (n != -Errno.EINTR) {
                    throw new NetlinkError((int) -n, "recvfrom(nfnetlink)");
                }
            }
        }

        @Override
        public synchronized void close() {
            fd.close();
        }
    }
}
