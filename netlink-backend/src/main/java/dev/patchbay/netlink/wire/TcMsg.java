package dev.patchbay.netlink.wire;

import java.nio.ByteBuffer;

/** {@code struct tcmsg}: the header of RTM_NEWQDISC/DELQDISC/GETQDISC. {@code parent} {@link Rtnetlink#TC_H_ROOT}: the root. */
public record TcMsg(int family, int ifindex, int handle, int parent, int info) implements NlStruct {
    public static final int SIZE = 20;

    /** A link's root qdisc, whatever its handle. */
    public static TcMsg root(int ifindex) {
        return new TcMsg(Rtnetlink.AF_UNSPEC, ifindex, 0, Rtnetlink.TC_H_ROOT, 0);
    }

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public void write(ByteBuffer out) {
        out.put((byte) family).put((byte) 0).putShort((short) 0).putInt(ifindex).putInt(handle).putInt(parent).putInt(info);
    }

    public static TcMsg read(ByteBuffer in, int at) {
        return new TcMsg(RtMsg.u8(in, at), in.getInt(at + 4), in.getInt(at + 8), in.getInt(at + 12), in.getInt(at + 16));
    }
}
