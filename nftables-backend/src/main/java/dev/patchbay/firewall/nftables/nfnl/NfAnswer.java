package dev.patchbay.firewall.nftables.nfnl;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One message the kernel sent back: its type and sequence number and, for NLMSG_ERROR, the errno
 * (0: an ACK) with the extended-ACK details (the kernel's text, the offending attribute's offset in
 * the request; -1 when absent).
 */
public record NfAnswer(int type, int seq, int errno, String message, int offset) {
    static final int NLMSG_ERROR = 2;
    static final int NLM_F_CAPPED = 0x100;
    static final int NLM_F_ACK_TLVS = 0x200;
    static final int NLMSGERR_ATTR_MSG = 1;
    static final int NLMSGERR_ATTR_OFFS = 2;

    public boolean isError() {
        return type == NLMSG_ERROR;
    }

    /** Where a whole message of a datagram starts, its length, type and sequence number. */
    record At(int offset, int length, int type, int seq) {
    }

    /** The whole messages of a received datagram (native order, 0 to limit), in order; a truncated tail is dropped. */
    static List<At> messages(ByteBuffer d) {
        List<At> out = new ArrayList<>();
        int p = 0;
        while (p + 16 <= d.limit()) {
            int len = d.getInt(p);
            if (len < 16 || p + len > d.limit()) {
                break;
            }
            out.add(new At(p, len, Short.toUnsignedInt(d.getShort(p + 4)), d.getInt(p + 8)));
            p += (len + 3) & ~3;
        }
        return out;
    }

    /** Splits a received datagram (native order, 0 to limit) into its messages; a truncated tail is dropped. */
    public static List<NfAnswer> parse(ByteBuffer d) {
        List<NfAnswer> out = new ArrayList<>();
        for (At m : messages(d)) {
            if (m.type() == NLMSG_ERROR && m.length() >= 20) {
                out.add(error(d, m.offset(), m.length(), Short.toUnsignedInt(d.getShort(m.offset() + 6)), m.seq()));
            } else {
                out.add(new NfAnswer(m.type(), m.seq(), 0, null, -1));
            }
        }
        return out;
    }

    private static NfAnswer error(ByteBuffer d, int p, int len, int flags, int seq) {
        int errno = -d.getInt(p + 16);
        String text = null;
        int offset = -1;
        if ((flags & NLM_F_ACK_TLVS) != 0 && len >= 36) {
            int requestLen = (flags & NLM_F_CAPPED) != 0 ? 16 : d.getInt(p + 20);
            int a = p + 20 + ((requestLen + 3) & ~3);
            int end = p + len;
            while (a + 4 <= end) {
                int alen = Short.toUnsignedInt(d.getShort(a));
                int atype = Short.toUnsignedInt(d.getShort(a + 2)) & 0x3fff;
                if (alen < 4 || a + alen > end) {
                    break;
                }
                if (atype == NLMSGERR_ATTR_MSG) {
                    byte[] b = new byte[alen - 4];
                    d.get(a + 4, b);
                    int z = 0;
                    while (z < b.length && b[z] != 0) {
                        z++;
                    }
                    text = new String(b, 0, z, StandardCharsets.UTF_8);
                } else if (atype == NLMSGERR_ATTR_OFFS && alen >= 8) {
                    offset = d.getInt(a + 4);
                }
                a += (alen + 3) & ~3;
            }
        }
        return new NfAnswer(NLMSG_ERROR, seq, errno, text, offset);
    }
}
