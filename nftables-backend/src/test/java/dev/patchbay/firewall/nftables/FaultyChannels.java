package dev.patchbay.firewall.nftables;

import java.nio.ByteBuffer;
import java.util.function.Supplier;

/**
 * Real nfnetlink channels that can be told to misaddress the next set-element batches: the kernel then really refuses
 * them (ENOENT: set "fwdX" not found). For rollback tests, at the channel seam instead of a hook in the batches' code.
 */
final class FaultyChannels implements Supplier<NfnlChannel> {
    /** Batches still to spoil. */
    volatile int spoil;

    @Override
    public NfnlChannel get() {
        NfnlChannel ch = NfnlChannel.open();
        return new NfnlChannel() {
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
