package dev.patchbay.netlink.wire;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes one or more netlink messages into a buffer, in native byte order: a header, a fixed
 * struct, then attributes (nested ones with {@link #nest}/{@link #endNest}). Every attribute and
 * message is padded to 4 bytes; {@code nla_len} counts the unpadded payload, a nest's length
 * and {@code nlmsg_len} count everything inside including padding (as iproute2 writes them).
 * Several messages may be written back to back and sent in one {@code sendmsg}.
 */
public final class NlEncoder {
    private ByteBuffer buf;
    private final boolean direct;
    private int msgStart = -1;
    private int lastStart = -1;
    private int messages;

    public NlEncoder(int capacity, boolean direct) {
        this.direct = direct;
        this.buf = allocate(capacity);
    }

    public NlEncoder() {
        this(512, false);
    }

    private ByteBuffer allocate(int capacity) {
        return (direct ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity)).order(ByteOrder.nativeOrder());
    }

    private void ensure(int more) {
        if (buf.remaining() < more) {
            ByteBuffer bigger = allocate(Math.max(buf.capacity() * 2, buf.position() + more + 64));
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
    }

    /** Forgets everything written, keeping the buffer. */
    public NlEncoder reset() {
        buf.clear();
        msgStart = -1;
        lastStart = -1;
        messages = 0;
        return this;
    }

    /** Starts a message; {@link #end} patches its length. */
    public NlEncoder begin(int type, int flags, int seq, int pid) {
        if (msgStart >= 0) {
            throw new IllegalStateException("message not ended");
        }
        ensure(NlMsgHdr.SIZE);
        msgStart = buf.position();
        new NlMsgHdr(0, type, flags, seq, pid).write(buf);
        return this;
    }

    public NlEncoder struct(NlStruct s) {
        ensure(s.size());
        s.write(buf);
        return this;
    }

    public NlEncoder end() {
        pad();
        buf.putInt(msgStart, buf.position() - msgStart);
        lastStart = msgStart;
        msgStart = -1;
        messages++;
        return this;
    }

    /** Clears {@code bits} in the flags of the last completed message (e.g. NLM_F_ACK inside a batch). */
    public NlEncoder clearLastFlags(int bits) {
        if (lastStart < 0) {
            throw new IllegalStateException("no message written");
        }
        int flags = Short.toUnsignedInt(buf.getShort(lastStart + 6));
        buf.putShort(lastStart + 6, (short) (flags & ~bits));
        return this;
    }

    /** Messages completed so far. */
    public int messages() {
        return messages;
    }

    private void pad() {
        int p = buf.position();
        int aligned = Rtnetlink.align(p);
        ensure(aligned - p);
        while (buf.position() < aligned) {
            buf.put((byte) 0);
        }
    }

    private void header(int type, int payload) {
        ensure(Rtnetlink.align(4 + payload));
        buf.putShort((short) (4 + payload)).putShort((short) type);
    }

    public NlEncoder attr(int type, byte[] value) {
        header(type, value.length);
        buf.put(value);
        pad();
        return this;
    }

    public NlEncoder u8(int type, int value) {
        header(type, 1);
        buf.put((byte) value);
        pad();
        return this;
    }

    public NlEncoder u16(int type, int value) {
        header(type, 2);
        buf.putShort((short) value);
        pad();
        return this;
    }

    public NlEncoder u32(int type, int value) {
        header(type, 4);
        buf.putInt(value);
        return this;
    }

    public NlEncoder u64(int type, long value) {
        header(type, 8);
        buf.putLong(value);
        return this;
    }

    /** A NUL-terminated string, as the kernel wants names. */
    public NlEncoder string(int type, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        byte[] z = new byte[b.length + 1];
        System.arraycopy(b, 0, z, 0, b.length);
        return attr(type, z);
    }

    /** A string without terminator, as iproute2 writes IFLA_INFO_KIND. */
    public NlEncoder stringNoNul(int type, String value) {
        return attr(type, value.getBytes(StandardCharsets.UTF_8));
    }

    public NlEncoder address(int type, InetAddress address) {
        return attr(type, address.getAddress());
    }

    /** Opens a nested attribute; pass the returned mark to {@link #endNest}. */
    public int nest(int type) {
        ensure(4);
        int mark = buf.position();
        buf.putShort((short) 0).putShort((short) type);
        return mark;
    }

    public NlEncoder endNest(int mark) {
        pad();
        buf.putShort(mark, (short) (buf.position() - mark));
        return this;
    }

    /** The bytes written so far, ready to send: a view from 0 to the current position. */
    public ByteBuffer buffer() {
        if (msgStart >= 0) {
            throw new IllegalStateException("message not ended");
        }
        ByteBuffer view = buf.duplicate().order(ByteOrder.nativeOrder());
        view.flip();
        return view;
    }

    public int length() {
        return buf.position();
    }

    public byte[] toByteArray() {
        ByteBuffer view = buffer();
        byte[] out = new byte[view.remaining()];
        view.get(out);
        return out;
    }
}
