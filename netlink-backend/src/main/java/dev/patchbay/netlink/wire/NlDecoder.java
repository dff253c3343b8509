package dev.patchbay.netlink.wire;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Splits a received datagram into its netlink messages. */
public final class NlDecoder {
    private NlDecoder() {
    }

    /** Messages in {@code buf} from absolute offset 0 to {@code length}; a truncated tail is dropped. */
    public static List<NlMessage> messages(ByteBuffer buf, int length) {
        List<NlMessage> out = new ArrayList<>();
        int p = 0;
        while (p + NlMsgHdr.SIZE <= length) {
            NlMsgHdr h = NlMsgHdr.read(buf, p);
            if (h.len() < NlMsgHdr.SIZE || p + h.len() > length) {
                break;
            }
            out.add(new NlMessage(h, buf, p));
            p += Rtnetlink.align(h.len());
        }
        return out;
    }
}
