package dev.patchbay.netlink.wire;

import static dev.patchbay.netlink.wire.Rtnetlink.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Alignment, nesting, multi-message buffers and round trips of the encoder and decoder. */
class NlEncoderTest {

    @Test
    void padsAttributesButCountsOnlyThePayload() {
        byte[] b = new NlEncoder().begin(RTM_NEWLINK, NLM_F_REQUEST, 1, 0).struct(IfInfoMsg.of(0)).string(IFLA_IFNAME, "v0").end().toByteArray();
        assertEquals(40, b.length); // 16 + 16 + align(4 + 3)
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
        assertEquals(40, buf.getInt(0));
        assertEquals(7, buf.getShort(32));
        assertEquals(0, b[39]);
    }

    @Test
    void nestsIncludeTheirInnerPadding() {
        NlEncoder e = new NlEncoder().begin(RTM_NEWLINK, NLM_F_REQUEST, 1, 0).struct(IfInfoMsg.of(0));
        int info = e.nest(IFLA_LINKINFO);
        e.stringNoNul(IFLA_INFO_KIND, "veth");
        int data = e.nest(IFLA_INFO_DATA);
        int peer = e.nest(VETH_INFO_PEER);
        e.struct(IfInfoMsg.of(0)).string(IFLA_IFNAME, "eth0");
        e.endNest(peer).endNest(data).endNest(info).end();
        NlMessage m = NlDecoder.messages(e.buffer(), e.length()).get(0);
        NlAttrs a = m.attrs(IfInfoMsg.SIZE);
        assertEquals(48, a.length(IFLA_LINKINFO) + 4);
        NlAttrs li = a.nested(IFLA_LINKINFO);
        assertEquals("veth", li.string(IFLA_INFO_KIND));
        NlAttrs d = li.nested(IFLA_INFO_DATA);
        assertEquals(32, d.length(VETH_INFO_PEER) + 4);
        ByteBuffer p = d.slice(VETH_INFO_PEER);
        NlAttrs peerAttrs = NlAttrs.parse(p, IfInfoMsg.SIZE, p.capacity());
        assertEquals("eth0", peerAttrs.string(IFLA_IFNAME));
    }

    @Test
    void severalMessagesInOneBuffer() {
        NlEncoder e = new NlEncoder(16, false);
        for (int i = 0; i < 50; i++) {
            e.begin(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, 100 + i, 0).struct(IfInfoMsg.of(0)).string(IFLA_IFNAME, "v" + i).end();
        }
        List<NlMessage> msgs = NlDecoder.messages(e.buffer(), e.length());
        assertEquals(50, msgs.size());
        assertEquals(50, e.messages());
        for (int i = 0; i < 50; i++) {
            assertEquals(100 + i, msgs.get(i).header().seq());
            assertEquals("v" + i, msgs.get(i).attrs(IfInfoMsg.SIZE).string(IFLA_IFNAME));
        }
    }

    @Test
    void clearsFlagsOfTheLastMessageOnly() {
        NlEncoder e = new NlEncoder();
        e.begin(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, 1, 0).struct(IfInfoMsg.of(1)).end();
        e.begin(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, 2, 0).struct(IfInfoMsg.of(2)).end().clearLastFlags(NLM_F_ACK);
        List<NlMessage> msgs = NlDecoder.messages(e.buffer(), e.length());
        assertEquals(NLM_F_REQUEST | NLM_F_ACK, msgs.get(0).header().flags());
        assertEquals(NLM_F_REQUEST, msgs.get(1).header().flags());
    }

    @Test
    void structsRoundTrip() {
        Random r = new Random(42);
        for (int i = 0; i < 200; i++) {
            RtMsg rt = new RtMsg(r.nextInt(256), r.nextInt(129), r.nextInt(129), r.nextInt(256), r.nextInt(256), r.nextInt(256),
                    r.nextInt(256), r.nextInt(256), r.nextInt());
            IfInfoMsg ifi = new IfInfoMsg(r.nextInt(256), r.nextInt(65536), r.nextInt(), r.nextInt(), r.nextInt());
            IfAddrMsg ifa = new IfAddrMsg(r.nextInt(256), r.nextInt(129), r.nextInt(256), r.nextInt(256), r.nextInt());
            NdMsg nd = new NdMsg(r.nextInt(256), r.nextInt(), r.nextInt(65536), r.nextInt(256), r.nextInt(256));
            FibRuleHdr fr = new FibRuleHdr(r.nextInt(256), r.nextInt(129), r.nextInt(129), r.nextInt(256), r.nextInt(256), r.nextInt(256), r.nextInt());
            for (NlStruct s : List.of(rt, ifi, ifa, nd, fr)) {
                NlEncoder e = new NlEncoder().begin(RTM_NEWROUTE, NLM_F_REQUEST, i, 7).struct(s).u32(RTA_PRIORITY, i).end();
                NlMessage m = NlDecoder.messages(e.buffer(), e.length()).get(0);
                assertEquals(new NlMsgHdr(16 + s.size() + 8, RTM_NEWROUTE, NLM_F_REQUEST, i, 7), m.header());
                Object back = s instanceof RtMsg ? m.rtMsg() : s instanceof IfInfoMsg ? m.ifInfo() : s instanceof IfAddrMsg ? m.ifAddr()
                        : s instanceof NdMsg ? m.ndMsg() : m.fibRule();
                assertEquals(s, back);
                assertEquals(i, m.attrs(s.size()).u32(RTA_PRIORITY));
            }
        }
    }

    @Test
    void attributesMatchAFieldByFieldReference() {
        Random r = new Random(7);
        for (int i = 0; i < 100; i++) {
            byte[] value = new byte[r.nextInt(20)];
            r.nextBytes(value);
            int type = 1 + r.nextInt(60);
            byte[] got = new NlEncoder().begin(type, 0, 0, 0).attr(type, value).end().toByteArray();
            ByteBuffer ref = ByteBuffer.allocate(align(16 + 4 + value.length)).order(ByteOrder.nativeOrder());
            ref.putInt(ref.capacity()).putShort((short) type).putShort((short) 0).putInt(0).putInt(0);
            ref.putShort((short) (4 + value.length)).putShort((short) type).put(value);
            assertArrayEquals(ref.array(), got);
        }
    }

    @Test
    void truncatedInputStopsCleanly() {
        byte[] b = new NlEncoder().begin(RTM_NEWLINK, 0, 1, 0).struct(IfInfoMsg.of(3)).string(IFLA_IFNAME, "eth0").end().toByteArray();
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
        assertTrue(NlDecoder.messages(buf, b.length - 1).isEmpty());
        buf.putShort(32, (short) 200); // attribute claims more than the message holds
        assertTrue(!NlDecoder.messages(buf, b.length).get(0).attrs(IfInfoMsg.SIZE).has(IFLA_IFNAME));
    }
}
