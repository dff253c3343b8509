package dev.patchbay.netlink;

import static dev.patchbay.netlink.wire.Rtnetlink.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.patchbay.core.model.Qdisc;
import dev.patchbay.netlink.wire.NlAttrs;
import dev.patchbay.netlink.wire.NlDecoder;
import dev.patchbay.netlink.wire.NlEncoder;
import dev.patchbay.netlink.wire.NlMessage;
import dev.patchbay.netlink.wire.TbfQopt;
import dev.patchbay.netlink.wire.TcMsg;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The tbf request read back field by field as the kernel reads it (linux/pkt_sched.h), and a dumped root qdisc decoded. */
class QdiscRequestsTest {
    private static NlMessage only(NlEncoder e) {
        ByteBuffer b = e.buffer();
        return NlDecoder.messages(b, b.remaining()).get(0);
    }

    @Test
    void aTokenBucketIsReplacedOnTheRootWithItsBurstInBytesAndAsTime() {
        NlEncoder e = new NlEncoder();
        Requests.tbf(e, 7, 5, new Qdisc.TokenBucket(1_250_000, 32_768, 95_268));
        NlMessage m = only(e);
        assertEquals(RTM_NEWQDISC, m.type());
        assertEquals(NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, m.header().flags());
        assertEquals(new TcMsg(AF_UNSPEC, 5, 0, TC_H_ROOT, 0), TcMsg.read(m.buf(), m.payload()));
        NlAttrs a = m.attrs(TcMsg.SIZE);
        assertEquals("tbf", a.string(TCA_KIND));
        NlAttrs o = a.nested(TCA_OPTIONS);
        ByteBuffer parms = o.slice(TCA_TBF_PARMS);
        assertEquals(TbfQopt.SIZE, parms.remaining());
        assertEquals(TC_LINKLAYER_ETHERNET, parms.get(1), "rate.linklayer: no rate table needed");
        assertEquals(new TbfQopt(1_250_000, 95_268, 409_600), TbfQopt.read(parms)); // 26.2144 ms in ticks of 64 ns
        assertEquals(0, parms.getInt(20), "no peak rate");
        assertEquals(32_768, o.u32(TCA_TBF_BURST));
        assertNull(o.u64(TCA_TBF_RATE64), "a rate that fits 32 bits");
    }

    @Test
    void aRatePast32BitsGoesInRate64() {
        NlEncoder e = new NlEncoder();
        Requests.tbf(e, 7, 5, new Qdisc.TokenBucket(5_000_000_000L, 1 << 20, 1 << 22));
        NlAttrs o = only(e).attrs(TcMsg.SIZE).nested(TCA_OPTIONS);
        assertEquals(-1, TbfQopt.read(o.slice(TCA_TBF_PARMS)).rate(), "~0U in the 32-bit field");
        assertEquals(5_000_000_000L, o.u64(TCA_TBF_RATE64));
    }

    @Test
    void theRootIsDeletedByItsParentAlone() {
        NlEncoder e = new NlEncoder();
        Requests.delRootQdisc(e, 7, 5);
        NlMessage m = only(e);
        assertEquals(RTM_DELQDISC, m.type());
        assertEquals(TcMsg.root(5), TcMsg.read(m.buf(), m.payload()));
    }

    /** What the kernel dumps for {@code tc qdisc replace dev X root tbf rate 10mbit burst 32kb latency 50ms}. */
    @Test
    void aDumpedRootTokenBucketIsDecodedAndOthersAreSkipped() {
        assertEquals(new Qdisc("tbf", new Qdisc.TokenBucket(1_250_000, 32_768, 95_268)),
                NetlinkQdiscOps.decodeRoot(only(dumped(5, 0x80010000, TC_H_ROOT)), 5));
        assertNull(NetlinkQdiscOps.decodeRoot(only(dumped(6, 0x80010000, TC_H_ROOT)), 5), "another link's");
        assertNull(NetlinkQdiscOps.decodeRoot(only(dumped(5, 0, TC_H_ROOT)), 5), "the kernel's default (handle 0)");
        assertNull(NetlinkQdiscOps.decodeRoot(only(dumped(5, 0x80020000, 0x80010001)), 5), "not the root");
    }

    private static NlEncoder dumped(int ifindex, int handle, int parent) {
        NlEncoder e = new NlEncoder();
        e.begin(RTM_NEWQDISC, NLM_F_MULTI, 7, 0).struct(new TcMsg(AF_UNSPEC, ifindex, handle, parent, 2)).string(TCA_KIND, "tbf");
        int o = e.nest(TCA_OPTIONS);
        e.attr(TCA_TBF_PARMS, new TbfQopt(1_250_000, 95_268, 409_600).bytes());
        e.endNest(o);
        return e.end();
    }

    @Test
    void anIngressFilterRedirectsAllOfEveryProtocolByMirredAndIsReadBack() {
        NlEncoder e = new NlEncoder();
        IngressRedirects.filter(e, 7, 5, 9);
        NlMessage m = only(e);
        assertEquals(RTM_NEWTFILTER, m.type());
        TcMsg t = TcMsg.read(m.buf(), m.payload());
        assertEquals(TC_H_INGRESS_HANDLE, t.parent());
        assertEquals(1, t.info() >>> 16, "prio 1");
        ByteBuffer info = ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder()).putInt(0, t.info());
        assertEquals(0x0003, info.order(java.nio.ByteOrder.BIG_ENDIAN).getShort(java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN ? 0 : 2),
                "ETH_P_ALL in network order");
        ByteBuffer sel = m.attrs(TcMsg.SIZE).nested(TCA_OPTIONS).slice(TCA_U32_SEL);
        assertEquals(IngressRedirects.SEL_SIZE, sel.remaining());
        assertEquals(TC_U32_TERMINAL, sel.get(0));
        assertEquals(1, sel.get(2), "one key, of mask 0");
        assertEquals(9, IngressRedirects.target(m, 5));
        assertNull(IngressRedirects.target(m, 6), "another link's");
    }
}
