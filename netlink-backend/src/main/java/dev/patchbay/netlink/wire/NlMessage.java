package dev.patchbay.netlink.wire;

import java.nio.ByteBuffer;

/**
 * One received netlink message: its header and where its payload lies in the receive buffer.
 * Decode with {@link #ifInfo()}, {@link #attrs(int)} etc. before the buffer is reused.
 */
public record NlMessage(NlMsgHdr header, ByteBuffer buf, int offset) {

    public int type() {
        return header.type();
    }

    /** Absolute offset of the payload (just past the header). */
    public int payload() {
        return offset + NlMsgHdr.SIZE;
    }

    /** Absolute offset of the message end (unaligned). */
    public int end() {
        return offset + header.len();
    }

    /** Attributes that follow a fixed struct of {@code structSize} bytes. */
    public NlAttrs attrs(int structSize) {
        return NlAttrs.parse(buf, payload() + Rtnetlink.align(structSize), end());
    }

    public IfInfoMsg ifInfo() {
        return IfInfoMsg.read(buf, payload());
    }

    public IfAddrMsg ifAddr() {
        return IfAddrMsg.read(buf, payload());
    }

    public RtMsg rtMsg() {
        return RtMsg.read(buf, payload());
    }

    public NdMsg ndMsg() {
        return NdMsg.read(buf, payload());
    }

    public FibRuleHdr fibRule() {
        return FibRuleHdr.read(buf, payload());
    }

    /** For NLMSG_ERROR: the errno (positive, 0 for an ACK), the request's header and the kernel's extended message. */
    public NlError error() {
        int error = buf.getInt(payload());
        NlMsgHdr request = NlMsgHdr.read(buf, payload() + 4);
        String text = null;
        if ((header.flags() & Rtnetlink.NLM_F_ACK_TLVS) != 0) {
            int tlvs = payload() + 4 + ((header.flags() & Rtnetlink.NLM_F_CAPPED) != 0 ? NlMsgHdr.SIZE : request.len());
            text = NlAttrs.parse(buf, Math.min(tlvs, end()), end()).string(Rtnetlink.NLMSGERR_ATTR_MSG);
        }
        return new NlError(-error, request, text);
    }

    /** The decoded payload of an NLMSG_ERROR: {@code errno == 0} is an acknowledgement. */
    public record NlError(int errno, NlMsgHdr request, String message) {
    }
}
