package dev.patchbay.netlink.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code struct tc_tbf_qopt} (TCA_TBF_PARMS): the rate as a {@code struct tc_ratespec} (cell_log, linklayer, overhead,
 * cell_align, mpu, rate: 12 bytes), the peak rate (another, zero: none), then limit, buffer and mtu. The rate is in bytes
 * per second, at most 2^32-1 here (a larger one goes in TCA_TBF_RATE64); {@code buffer} is the burst as time, in the
 * kernel's scheduler ticks of 64 ns; linklayer ethernet, so that the kernel needs no rate table.
 */
public record TbfQopt(int rate, int limit, int buffer) {
    public static final int SIZE = 36;
    /** Nanoseconds per tick (PSCHED_SHIFT 6). */
    public static final int TICK_NS = 64;

    public byte[] bytes() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.nativeOrder());
        b.put((byte) 0).put((byte) Rtnetlink.TC_LINKLAYER_ETHERNET).putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(rate);
        b.put(new byte[12]); // peakrate: none
        b.putInt(limit).putInt(buffer).putInt(0); // mtu: only with a peak rate
        return b.array();
    }

    /** From an attribute's payload (native order), or null when it is too short. */
    public static TbfQopt read(ByteBuffer b) {
        return b == null || b.remaining() < SIZE ? null : new TbfQopt(b.getInt(8), b.getInt(24), b.getInt(28));
    }
}
