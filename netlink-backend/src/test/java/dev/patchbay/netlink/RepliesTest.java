package dev.patchbay.netlink;

import static dev.patchbay.netlink.wire.Rtnetlink.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Link;
import dev.patchbay.netlink.wire.IfAddrMsg;
import dev.patchbay.netlink.wire.IfInfoMsg;
import dev.patchbay.netlink.wire.NlAttrs;
import dev.patchbay.netlink.wire.NlDecoder;
import dev.patchbay.netlink.wire.NlEncoder;
import dev.patchbay.netlink.wire.NlMessage;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Decoding replies the kernel sent to iproute2 (captured with strace). */
class RepliesTest {

    /** recvfrom with MSG_TRUNC returns the datagram's full length: one longer than the buffer is refused, never cut. */
    @Test
    void aDatagramLongerThanTheReceiveBufferIsAnError() {
        assertEquals(NetlinkSocket.RECV_SIZE, NetlinkSocket.fitting(NetlinkSocket.RECV_SIZE));
        var e = assertThrows(dev.patchbay.core.errors.BackendException.class, () -> NetlinkSocket.fitting(NetlinkSocket.RECV_SIZE + 1L));
        assertTrue(e.getMessage().contains("did not fit"), e.getMessage());
    }

    @Test
    void linkReply() {
        ByteBuffer b = Golden.buffer("reply_getlink_v0");
        List<NlMessage> msgs = NlDecoder.messages(b, b.capacity());
        assertEquals(1, msgs.size());
        assertEquals(RTM_NEWLINK, msgs.get(0).type());
        Link l = NetlinkLinkOps.decode(msgs.get(0));
        assertEquals(4, l.index());
        assertEquals("v0", l.name().value());
        assertEquals("veth", l.kind());
        assertEquals(1500, l.mtu());
        assertEquals("ce:06:31:78:a1:0b", l.mac().value());
        assertEquals(2, l.masterIndex());
        assertEquals(3, l.peerIndex());
        assertEquals(false, l.up());
        NlAttrs info = msgs.get(0).attrs(16).nested(IFLA_LINKINFO);
        assertEquals("bridge", info.string(IFLA_INFO_SLAVE_KIND));
    }

    /**
     * A veth whose peer is in another namespace may have the peer's index equal to its own (each namespace counts from
     * 1: {@code ip -n h link add up0 type veth peer name eth0 netns o} gives both index 2): IFLA_LINK then names the
     * peer, not the link itself, as IFLA_LINK_NETNSID says. Same-namespace IFLA_LINK == index still means no peer.
     */
    @Test
    void aPeerInAnotherNamespaceMayHaveTheLinksOwnIndex() {
        for (boolean other : new boolean[] {true, false}) {
            var e = new NlEncoder().begin(RTM_NEWLINK, 0, 1, 0)
                    .struct(IfInfoMsg.of(2)).string(IFLA_IFNAME, "up0").u32(IFLA_LINK, 2);
            if (other) {
                e.u32(IFLA_LINK_NETNSID, 0);
            }
            ByteBuffer b = e.end().buffer();
            Link l = NetlinkLinkOps.decode(NlDecoder.messages(b, b.remaining()).get(0));
            assertEquals(other ? Integer.valueOf(2) : null, l.peerIndex(), other ? "the peer in namespace id 0" : "no peer");
        }
    }

    @Test
    void errorReplyCarriesErrno() {
        ByteBuffer b = Golden.buffer("reply_error_eexist");
        NlMessage m = NlDecoder.messages(b, b.capacity()).get(0);
        assertEquals(NLMSG_ERROR, m.type());
        NlMessage.NlError e = m.error();
        assertEquals(17, e.errno());
        assertEquals(RTM_NEWLINK, e.request().type());
        assertNull(e.message());
    }

    @Test
    void addressDump() {
        ByteBuffer b = Golden.buffer("reply_getaddr_dump");
        List<NlMessage> msgs = NlDecoder.messages(b, b.capacity());
        assertEquals(3, msgs.size());
        assertEquals(NLMSG_DONE, msgs.get(2).type());
        IfAddrMsg lo = msgs.get(0).ifAddr();
        assertEquals(1, lo.index());
        assertEquals(IpPrefix.parse("127.0.0.1/8"), IpPrefix.of(msgs.get(0).attrs(IfAddrMsg.SIZE).address(IFA_LOCAL), lo.prefixLen()));
        NlAttrs br = msgs.get(1).attrs(IfAddrMsg.SIZE);
        assertEquals(IpPrefix.parse("10.77.0.1/24"), IpPrefix.of(br.address(IFA_LOCAL), msgs.get(1).ifAddr().prefixLen()));
        assertEquals("br0", br.string(IFA_LABEL));
        assertTrue((msgs.get(1).header().flags() & NLM_F_MULTI) != 0);
    }
}
