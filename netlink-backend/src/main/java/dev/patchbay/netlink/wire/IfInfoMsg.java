package dev.patchbay.netlink.wire;

import java.nio.ByteBuffer;

/** {@code struct ifinfomsg}: the link header of RTM_NEWLINK/DELLINK/GETLINK (and of a veth peer). */
public record IfInfoMsg(int family, int type, int index, int flags, int change) implements NlStruct {
    public static final int SIZE = 16;

    /** Address a link by index (0: by IFLA_IFNAME), nothing to change. */
    public static IfInfoMsg of(int index) {
        return new IfInfoMsg(Rtnetlink.AF_UNSPEC, 0, index, 0, 0);
    }

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public void write(ByteBuffer out) {
        out.put((byte) family).put((byte) 0).putShort((short) type).putInt(index).putInt(flags).putInt(change);
    }

    public static IfInfoMsg read(ByteBuffer in, int at) {
        return new IfInfoMsg(Byte.toUnsignedInt(in.get(at)), Short.toUnsignedInt(in.getShort(at + 2)), in.getInt(at + 4),
                in.getInt(at + 8), in.getInt(at + 12));
    }
}
