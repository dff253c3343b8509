package dev.patchbay.netlink.wire;

import java.nio.ByteBuffer;

/** {@code struct ndmsg}: the header of RTM_NEWNEIGH/DELNEIGH/GETNEIGH. */
public record NdMsg(int family, int ifindex, int state, int flags, int type) implements NlStruct {
    public static final int SIZE = 12;

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public void write(ByteBuffer out) {
        out.put((byte) family).put((byte) 0).putShort((short) 0).putInt(ifindex).putShort((short) state)
                .put((byte) flags).put((byte) type);
    }

    public static NdMsg read(ByteBuffer in, int at) {
        return new NdMsg(RtMsg.u8(in, at), in.getInt(at + 4), Short.toUnsignedInt(in.getShort(at + 8)), RtMsg.u8(in, at + 10),
                RtMsg.u8(in, at + 11));
    }
}
