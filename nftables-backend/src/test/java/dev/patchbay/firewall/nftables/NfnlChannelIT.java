package dev.patchbay.firewall.nftables;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The nfnetlink channel: the kernel answers it, and big datagrams (element batches) go out whole. */
@NetnsTest
class NfnlChannelIT {
    static final int NFT_MSG_GETGEN = (10 << 8) | 16;
    static final int NFT_MSG_NEWGEN = (10 << 8) | 15;

    /** {@code count} NLMSG_NOOP messages (ignored by the kernel), then GETGEN with NLM_F_ACK and sequence 7. */
    static ByteBuffer noopsThenGetGen(int count) {
        ByteBuffer b = ByteBuffer.allocate(count * 16 + 20).order(ByteOrder.nativeOrder());
        for (int i = 0; i < count; i++) {
            b.putInt(16).putShort((short) 1).putShort((short) 1).putInt(i).putInt(0);
        }
        b.putInt(20).putShort((short) NFT_MSG_GETGEN).putShort((short) (0x01 | 0x04)).putInt(7).putInt(0);
        b.putInt(0); // nfgenmsg: AF_UNSPEC, version 0, res_id 0
        return b.flip();
    }

    /** Reads until the ACK of sequence 7; returns the message types seen with that sequence, as "type:errno". */
    static String answers(NfnlChannel ch) {
        StringBuilder seen = new StringBuilder();
        while (true) {
            ByteBuffer d = ch.receive();
            for (int p = 0; p + 16 <= d.limit(); ) {
                int len = d.getInt(p);
                int type = Short.toUnsignedInt(d.getShort(p + 4));
                if (d.getInt(p + 8) == 7) {
                    seen.append(type == 2 ? "ack:" + -d.getInt(p + 16) : "type:" + type).append(' ');
                    if (type == 2) {
                        return seen.toString().strip();
                    }
                }
                p += (len + 3) & ~3;
            }
        }
    }

    @Test
    void getGenerationIsAnsweredAndAcknowledged(Sandbox sb) {
        try (NfnlChannel ch = NfnlChannel.open()) {
            ch.send(noopsThenGetGen(0));
            assertEquals("type:" + NFT_MSG_NEWGEN + " ack:0", answers(ch));
        }
    }

    @Test
    void aDatagramLargerThanTheDefaultSendBufferGoesOutWhole(Sandbox sb) {
        try (NfnlChannel ch = NfnlChannel.open()) {
            ch.send(noopsThenGetGen(200_000)); // 3.2 MB: the GETGEN at its end is answered only if all of it arrived
            assertEquals("type:" + NFT_MSG_NEWGEN + " ack:0", answers(ch));
        }
    }
}
