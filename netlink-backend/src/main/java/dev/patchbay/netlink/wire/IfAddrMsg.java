package dev.patchbay.netlink.wire;

import java.nio.ByteBuffer;

/** {@code struct ifaddrmsg}: the header of RTM_NEWADDR/DELADDR/GETADDR. */
public record IfAddrMsg(int family, int prefixLen, int flags, int scope, int index) implements NlStruct {
    public static final int SIZE = 8;

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public void write(ByteBuffer out) {
        out.put((byte) family).put((byte) prefixLen).put((byte) flags).put((byte) scope).putInt(index);
    }

    public static IfAddrMsg read(ByteBuffer in, int at) {
        return new IfAddrMsg(Byte.toUnsignedInt(in.get(at)), Byte.toUnsignedInt(in.get(at + 1)), Byte.toUnsignedInt(in.get(at + 2)),
                Byte.toUnsignedInt(in.get(at + 3)), in.getInt(at + 4));
    }
}
