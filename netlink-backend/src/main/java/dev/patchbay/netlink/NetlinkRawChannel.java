package dev.patchbay.netlink;

import dev.patchbay.sys.Errno;
import dev.patchbay.core.spi.NetlinkChannel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** {@link NetlinkChannel} over one {@link NetlinkFd}: raw datagrams in and out, nothing decoded. */
final class NetlinkRawChannel implements NetlinkChannel {
    private final NetlinkFd fd;
    private final ByteBuffer recv = ByteBuffer.allocateDirect(NetlinkSocket.RECV_SIZE).order(ByteOrder.nativeOrder());
    /** Copy of a heap datagram: sendto needs native memory. */
    private ByteBuffer out = ByteBuffer.allocateDirect(0);

    NetlinkRawChannel(NetlinkFd fd) {
        this.fd = fd;
    }

    @Override
    public int protocol() {
        return fd.protocol();
    }

    @Override
    public synchronized void send(ByteBuffer datagram) {
        check();
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
        check();
        while (true) {
            long n = fd.receive(recv);
            if (n >= 0) {
                ByteBuffer view = recv.duplicate().order(ByteOrder.nativeOrder());
                view.position(0).limit(NetlinkSocket.fitting(n));
                return view.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
            }
            if (n != -Errno.EINTR) {
                throw new NetlinkError((int) -n, "recvfrom(netlink protocol " + fd.protocol() + ")");
            }
        }
    }

    private void check() {
        fd.checkOpen("netlink channel");
    }

    @Override
    public synchronized void close() {
        fd.close();
    }
}
