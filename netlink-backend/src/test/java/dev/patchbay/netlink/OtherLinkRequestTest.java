package dev.patchbay.netlink;

import static dev.patchbay.netlink.wire.Rtnetlink.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.LinkSpec.Attr.As;
import dev.patchbay.netlink.wire.IfInfoMsg;
import dev.patchbay.netlink.wire.NlAttrs;
import dev.patchbay.netlink.wire.NlDecoder;
import dev.patchbay.netlink.wire.NlEncoder;
import dev.patchbay.netlink.wire.NlMessage;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A link of a kind the model does not name: the kind, the parent, the namespace and each typed attribute as the kernel reads them. */
class OtherLinkRequestTest {
    @Test
    void everyAttributeIsWrittenAsItsTypeSays() {
        LinkSpec.Other spec = new LinkSpec.Other(IfName.of("vx0"), "vxlan", LinkRef.name("eth0"), null, 1450, null, List.of(
                new LinkSpec.Attr(1, As.U32, 42L), new LinkSpec.Attr(4, As.ADDRESS, IpAddresses.parse("local", "10.0.0.1")),
                new LinkSpec.Attr(7, As.U8, 0L), new LinkSpec.Attr(15, As.BE16, 4789L), new LinkSpec.Attr(20, As.U16, 258L),
                new LinkSpec.Attr(21, As.U64, 1L << 40), new LinkSpec.Attr(22, As.STRING, "x"), new LinkSpec.Attr(23, As.FLAG, null),
                new LinkSpec.Attr(24, As.BYTES, new byte[] {1, 2, 3})));
        NlEncoder e = new NlEncoder();
        Requests.newOther(e, 9, spec, 3, 7, 0);
        ByteBuffer b = e.buffer();
        NlMessage m = NlDecoder.messages(b, b.remaining()).get(0);
        assertEquals(RTM_NEWLINK, m.type());
        NlAttrs a = m.attrs(IfInfoMsg.SIZE);
        assertEquals(7, a.u32(IFLA_NET_NS_FD));
        assertEquals(3, a.u32(IFLA_LINK));
        assertEquals("vx0", a.string(IFLA_IFNAME));
        assertEquals(1450, a.u32(IFLA_MTU));
        NlAttrs info = a.nested(IFLA_LINKINFO);
        assertEquals("vxlan", a.nested(IFLA_LINKINFO).string(IFLA_INFO_KIND));
        NlAttrs d = info.nested(IFLA_INFO_DATA);
        assertEquals(42, d.u32(1));
        assertArrayEquals(new byte[] {10, 0, 0, 1}, d.bytes(4));
        assertEquals(0, d.u8(7));
        assertEquals("12b5", HexFormat.of().formatHex(d.bytes(15)), "4789 in network byte order");
        assertEquals(258, d.u16(20));
        assertEquals(1L << 40, d.u64(21));
        assertEquals("x", d.string(22));
        assertEquals(2, d.length(22), "NUL-terminated");
        assertEquals(0, d.length(23), "a flag has no payload");
        assertArrayEquals(new byte[] {1, 2, 3}, d.bytes(24));
    }

    @Test
    void noParentNoNamespaceNoDataWritesNoneOfThem() {
        NlEncoder e = new NlEncoder();
        Requests.newOther(e, 9, new LinkSpec.Other(IfName.of("w0"), "wireguard", null, null, null, null, null), 0, -1, 0);
        ByteBuffer b = e.buffer();
        NlAttrs a = NlDecoder.messages(b, b.remaining()).get(0).attrs(IfInfoMsg.SIZE);
        assertFalse(a.has(IFLA_LINK) || a.has(IFLA_NET_NS_FD) || a.nested(IFLA_LINKINFO).has(IFLA_INFO_DATA));
        assertEquals("wireguard", a.nested(IFLA_LINKINFO).string(IFLA_INFO_KIND));
    }
}
