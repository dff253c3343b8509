package dev.patchbay.netlink.wire;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The attributes of one message (or of one nested attribute), indexed by type. Values are
 * views into the received buffer: read them before the buffer is reused. When a type repeats,
 * the last one wins.
 */
public final class NlAttrs {
    private static final int MAX_TYPE = 128;
    private final ByteBuffer buf;
    private final int[] offset = new int[MAX_TYPE];
    private final int[] length = new int[MAX_TYPE];

    private NlAttrs(ByteBuffer buf) {
        this.buf = buf;
        Arrays.fill(offset, -1);
    }

    /** Parses attributes from absolute offset {@code from} to {@code to} (exclusive). */
    public static NlAttrs parse(ByteBuffer buf, int from, int to) {
        NlAttrs a = new NlAttrs(buf);
        int p = from;
        while (p + 4 <= to) {
            int len = Short.toUnsignedInt(buf.getShort(p));
            int type = Short.toUnsignedInt(buf.getShort(p + 2)) & Rtnetlink.NLA_TYPE_MASK;
            if (len < 4 || p + len > to) {
                break; // truncated or malformed: stop, like the kernel's nla_ok
            }
            if (type < MAX_TYPE) {
                a.offset[type] = p + 4;
                a.length[type] = len - 4;
            }
            p += Rtnetlink.align(len);
        }
        return a;
    }

    public boolean has(int type) {
        return type < MAX_TYPE && offset[type] >= 0;
    }

    public int length(int type) {
        return has(type) ? length[type] : -1;
    }

    public Integer u8(int type) {
        return has(type) && length[type] >= 1 ? Byte.toUnsignedInt(buf.get(offset[type])) : null;
    }

    public Integer u16(int type) {
        return has(type) && length[type] >= 2 ? Short.toUnsignedInt(buf.getShort(offset[type])) : null;
    }

    public Integer u32(int type) {
        return has(type) && length[type] >= 4 ? buf.getInt(offset[type]) : null;
    }

    public Long u64(int type) {
        return has(type) && length[type] >= 8 ? buf.getLong(offset[type]) : null;
    }

    public Integer s32(int type) {
        return u32(type);
    }

    public byte[] bytes(int type) {
        if (!has(type)) {
            return null;
        }
        byte[] out = new byte[length[type]];
        buf.get(offset[type], out);
        return out;
    }

    /** A string, up to its NUL if it has one. */
    public String string(int type) {
        byte[] b = bytes(type);
        if (b == null) {
            return null;
        }
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    public InetAddress address(int type) {
        byte[] b = bytes(type);
        if (b == null || (b.length != 4 && b.length != 16)) {
            return null;
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** The attributes nested inside {@code type}, or an empty set. */
    public NlAttrs nested(int type) {
        if (!has(type)) {
            return new NlAttrs(buf);
        }
        return parse(buf, offset[type], offset[type] + length[type]);
    }

    /** The payload of {@code type} as a little buffer of its own (native order), or null. */
    public ByteBuffer slice(int type) {
        if (!has(type)) {
            return null;
        }
        return buf.slice(offset[type], length[type]).order(ByteOrder.nativeOrder());
    }

    /** Absolute offset of the payload of {@code type} in the underlying buffer, -1 if absent. */
    public int offset(int type) {
        return has(type) ? offset[type] : -1;
    }
}
