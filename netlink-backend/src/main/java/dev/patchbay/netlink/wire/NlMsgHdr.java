package dev.patchbay.netlink.wire;

import java.nio.ByteBuffer;

/** {@code struct nlmsghdr}: length, type, flags, sequence number, sender port id. */
public record NlMsgHdr(int len, int type, int flags, int seq, int pid) implements NlStruct {
    public static final int SIZE = 16;

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public void write(ByteBuffer out) {
        out.putInt(len).putShort((short) type).putShort((short) flags).putInt(seq).putInt(pid);
    }

    /** Reads a header at absolute offset {@code at}. */
    public static NlMsgHdr read(ByteBuffer in, int at) {
        return new NlMsgHdr(in.getInt(at), Short.toUnsignedInt(in.getShort(at + 4)), Short.toUnsignedInt(in.getShort(at + 6)),
                in.getInt(at + 8), in.getInt(at + 12));
    }
}
