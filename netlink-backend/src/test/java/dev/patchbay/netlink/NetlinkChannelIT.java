package dev.patchbay.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetlinkChannel;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Raw netlink channels: nfnetlink answers, in the namespace the channel was opened in, and big datagrams go out whole. */
@NetnsTest
class NetlinkChannelIT {
    static final int NFT_MSG_GETGEN = (10 << 8) | 16;
    static final int NFT_MSG_NEWGEN = (10 << 8) | 15;

    final NetlinkNetworkStack stack = new NetlinkNetworkStack();

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
    static String answers(NetlinkChannel ch) {
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
        try (NetlinkChannel ch = stack.openNetlink(NetnsRef.current(), NetlinkChannel.NETLINK_NETFILTER)) {
            assertEquals(NetlinkChannel.NETLINK_NETFILTER, ch.protocol());
            ch.send(noopsThenGetGen(0));
            assertEquals("type:" + NFT_MSG_NEWGEN + " ack:0", answers(ch));
        }
    }

    @Test
    void aDatagramLargerThanTheDefaultSendBufferGoesOutWhole(Sandbox sb) {
        try (NetlinkChannel ch = stack.openNetlink(NetnsRef.current(), NetlinkChannel.NETLINK_NETFILTER)) {
            ch.send(noopsThenGetGen(200_000)); // 3.2 MB: the GETGEN at its end is answered only if all of it arrived
            assertEquals("type:" + NFT_MSG_NEWGEN + " ack:0", answers(ch));
        }
    }

    @Test
    void aChannelOpenedInANamedNamespaceStaysThere(Sandbox sb) {
        String ns = sb.netns("chan");
        sb.run("ip", "netns", "exec", ns, "nft", "add", "table", "inet", "chantest");
        try (NetlinkChannel ch = stack.openNetlink(NetnsRef.named(ns), NetlinkChannel.NETLINK_NETFILTER)) {
            // GETTABLE of "chantest" (family inet) answers in ns only
            byte[] name = "chantest\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.nativeOrder());
            b.putInt(36).putShort((short) ((10 << 8) | 1)).putShort((short) (0x01 | 0x04)).putInt(7).putInt(0);
            b.put((byte) 1).put((byte) 0).putShort((short) 0);
            b.putShort((short) (4 + name.length)).putShort((short) 1).put(name);
            b.put(new byte[3]);
            ch.send(b.flip());
            String a = answers(ch);
            assertTrue(a.startsWith("type:" + ((10 << 8) | 0)), a); // NFT_MSG_NEWTABLE: found
        }
        assertTrue(!sb.run("nft", "list", "tables").contains("chantest"));
    }
}
