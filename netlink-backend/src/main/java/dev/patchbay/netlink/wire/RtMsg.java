package dev.patchbay.netlink.wire;

import java.nio.ByteBuffer;

/** {@code struct rtmsg}: the header of RTM_NEWROUTE/DELROUTE/GETROUTE. */
public record RtMsg(int family, int dstLen, int srcLen, int tos, int table, int protocol, int scope, int type, int flags)
        implements NlStruct {
    public static final int SIZE = 12;

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public void write(ByteBuffer out) {
        out.put((byte) family).put((byte) dstLen).put((byte) srcLen).put((byte) tos)
                .put((byte) table).put((byte) protocol).put((byte) scope).put((byte) type).putInt(flags);
    }

    public static RtMsg read(ByteBuffer in, int at) {
        return new RtMsg(u8(in, at), u8(in, at + 1), u8(in, at + 2), u8(in, at + 3), u8(in, at + 4), u8(in, at + 5),
                u8(in, at + 6), u8(in, at + 7), in.getInt(at + 8));
    }

    static int u8(ByteBuffer in, int at) {
        return Byte.toUnsignedInt(in.get(at));
    }
}
