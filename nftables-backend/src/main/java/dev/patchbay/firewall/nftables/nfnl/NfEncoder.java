package dev.patchbay.firewall.nftables.nfnl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes nfnetlink messages back to back: {@code nlmsghdr} (native order), {@code nfgenmsg}, then
 * attributes padded to 4 bytes; {@code nla_len} counts the unpadded payload, a nest's length counts
 * everything inside it, nests carry NLA_F_NESTED (as libmnl writes them).
 */
final class NfEncoder {
    static final int NLA_F_NESTED = 0x8000;
    private ByteBuffer buf;
    private int msgStart = -1;

    NfEncoder(int capacity) {
        buf = ByteBuffer.allocate(capacity).order(ByteOrder.nativeOrder());
    }

    private void ensure(int more) {
        if (buf.remaining() < more) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + more + 64)).order(ByteOrder.nativeOrder());
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
    }

    /** Starts a message: header and {@code nfgenmsg} ({@code resId} big-endian, as the kernel reads it). */
    NfEncoder begin(int type, int flags, int seq, int family, int resId) {
        if (msgStart >= 0) {
            throw new IllegalStateException("message not ended");
        }
        ensure(20);
        msgStart = buf.position();
        buf.putInt(0).putShort((short) type).putShort((short) flags).putInt(seq).putInt(0);
        buf.put((byte) family).put((byte) 0).put((byte) (resId >> 8)).put((byte) resId);
        return this;
    }

    NfEncoder end() {
        pad();
        buf.putInt(msgStart, buf.position() - msgStart);
        msgStart = -1;
        return this;
    }

    /** Offset of the next byte from the start of the current message. */
    int inMessage() {
        return buf.position() - msgStart;
    }

    /** Bytes written in the current message so far. */
    int messageLength() {
        return msgStart < 0 ? 0 : buf.position() - msgStart;
    }

    NfEncoder bytes(int type, byte[] value) {
        ensure(4 + value.length + 3);
        buf.putShort((short) (4 + value.length)).putShort((short) type).put(value);
        pad();
        return this;
    }

    /** A NUL-terminated string. */
    NfEncoder string(int type, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        ensure(4 + b.length + 4);
        buf.putShort((short) (5 + b.length)).putShort((short) type).put(b).put((byte) 0);
        pad();
        return this;
    }

    /** Opens a nested attribute (NLA_F_NESTED set); pass the mark to {@link #endNest}. */
    int nest(int type) {
        ensure(4);
        int mark = buf.position();
        buf.putShort((short) 0).putShort((short) (type | NLA_F_NESTED));
        return mark;
    }

    NfEncoder endNest(int mark) {
        pad();
        int len = buf.position() - mark;
        if (len > 0xffff) {
            throw new IllegalStateException("nested attribute of " + len + " bytes exceeds the 65535-byte netlink limit");
        }
        buf.putShort(mark, (short) len);
        return this;
    }

    private void pad() {
        int aligned = (buf.position() + 3) & ~3;
        ensure(aligned - buf.position());
        while (buf.position() < aligned) {
            buf.put((byte) 0);
        }
    }

    /** Everything written, from 0 to the current position. */
    ByteBuffer buffer() {
        if (msgStart >= 0) {
            throw new IllegalStateException("message not ended");
        }
        ByteBuffer view = buf.duplicate().order(ByteOrder.nativeOrder());
        view.flip();
        return view;
    }
}
