package dev.patchbay.firewall.nftables;

import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetlinkChannel;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetnsOps;
import dev.patchbay.core.spi.NetworkStack;
import java.nio.ByteBuffer;
import java.util.concurrent.Callable;

/**
 * The test stack ({@link CurrentNetnsStack}: real sockets, real kernel), whose netlink channels can be told to
 * misaddress the next set-element batches: the kernel then really refuses them (ENOENT: set "fwdX" not found). For
 * rollback tests, at the SPI boundary instead of a hook in production code.
 */
final class FaultyStack implements NetworkStack {
    private final NetworkStack real = new CurrentNetnsStack();
    /** Batches still to spoil. */
    volatile int spoil;

    @Override
    public NetnsHandle open(NetnsRef netns) {
        return real.open(netns);
    }

    @Override
    public NetnsOps namespaces() {
        return real.namespaces();
    }

    @Override
    public dev.patchbay.core.model.NetnsId identity(NetnsRef netns) {
        return real.identity(netns);
    }

    @Override
    public <T> T callIn(NetnsRef netns, Callable<T> task) {
        return real.callIn(netns, task);
    }

    @Override
    public NetlinkChannel openNetlink(NetnsRef netns, int protocol) {
        NetlinkChannel ch = real.openNetlink(netns, protocol);
        return new NetlinkChannel() {
            @Override
            public int protocol() {
                return ch.protocol();
            }

            @Override
            public void send(ByteBuffer datagram) {
                if (spoil > 0 && datagram.remaining() > 40 && datagram.get(datagram.position() + 4) == 0x10) {
                    spoil--;
                    ByteBuffer copy = ByteBuffer.allocate(datagram.remaining()).order(datagram.order());
                    copy.put(datagram.duplicate()).flip();
                    for (int i = 0; i + 4 < copy.limit(); i++) { // every set name "fwd?\0" becomes "fwdX\0"
                        if (copy.get(i) == 'f' && copy.get(i + 1) == 'w' && copy.get(i + 2) == 'd') {
                            copy.put(i + 3, (byte) 'X');
                        }
                    }
                    ch.send(copy);
                    return;
                }
                ch.send(datagram);
            }

            @Override
            public ByteBuffer receive() {
                return ch.receive();
            }

            @Override
            public void close() {
                ch.close();
            }
        };
    }
}
