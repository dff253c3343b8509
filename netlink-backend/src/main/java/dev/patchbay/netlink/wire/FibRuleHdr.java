package dev.patchbay.netlink.wire;

import java.nio.ByteBuffer;

/** {@code struct fib_rule_hdr}: the header of RTM_NEWRULE/DELRULE/GETRULE. */
public record FibRuleHdr(int family, int dstLen, int srcLen, int tos, int table, int action, int flags) implements NlStruct {
    public static final int SIZE = 12;

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public void write(ByteBuffer out) {
        out.put((byte) family).put((byte) dstLen).put((byte) srcLen).put((byte) tos).put((byte) table)
                .put((byte) 0).put((byte) 0).put((byte) action).putInt(flags);
    }

    public static FibRuleHdr read(ByteBuffer in, int at) {
        return new FibRuleHdr(RtMsg.u8(in, at), RtMsg.u8(in, at + 1), RtMsg.u8(in, at + 2), RtMsg.u8(in, at + 3),
                RtMsg.u8(in, at + 4), RtMsg.u8(in, at + 7), in.getInt(at + 8));
    }
}
