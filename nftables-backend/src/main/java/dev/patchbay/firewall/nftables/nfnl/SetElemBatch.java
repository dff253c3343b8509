package dev.patchbay.firewall.nftables.nfnl;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One nf_tables transaction of set-element changes, as nft sends it: NFNL_MSG_BATCH_BEGIN, then
 * NFT_MSG_DELSETELEM / NFT_MSG_NEWSETELEM messages (one per run of consecutive operations on the
 * same set, split so that each element list stays within netlink's 64 KiB attribute limit), then
 * NFNL_MSG_BATCH_END. Element comments go into NFTA_SET_ELEM_USERDATA in libnftnl's layout, so nft
 * lists them as {@code comment "..."}. New elements are sent with NLM_F_CREATE and without
 * NLM_F_EXCL ({@code add element}: an identical element is no error).
 */
public final class SetElemBatch {
    public static final int NFNL_SUBSYS_NFTABLES = 10;
    static final int NFNL_MSG_BATCH_BEGIN = 0x10;
    static final int NFNL_MSG_BATCH_END = 0x11;
    static final int NFT_MSG_NEWSETELEM = 12;
    static final int NFT_MSG_DELSETELEM = 14;
    static final int NFT_MSG_GETGEN = 16;
    static final int NFPROTO_INET = 1;
    static final int NLM_F_REQUEST = 0x01;
    static final int NLM_F_ACK = 0x04;
    static final int NLM_F_CREATE = 0x400;
    static final int NFTA_SET_ELEM_LIST_TABLE = 1;
    static final int NFTA_SET_ELEM_LIST_SET = 2;
    static final int NFTA_SET_ELEM_LIST_ELEMENTS = 3;
    static final int NFTA_SET_ELEM_KEY = 1;
    static final int NFTA_SET_ELEM_DATA = 2;
    static final int NFTA_SET_ELEM_USERDATA = 6;
    static final int NFTA_DATA_VALUE = 1;
    static final int NFTNL_UDATA_SET_ELEM_COMMENT = 0;
    /** nft refuses longer comments (NFTNL_UDATA_COMMENT_MAXLEN, with the NUL). */
    public static final int COMMENT_MAX = 127;
    /** Element list payload per message: below the 65,535 bytes an attribute can hold, with room for one more element. */
    static final int LIST_LIMIT = 60_000;

    /** One element to add ({@code data} and {@code comment} set) or delete (both null). {@code label} names it in errors. */
    public record Op(String set, byte[] key, byte[] data, String comment, String label) {
        public static Op add(String set, byte[] key, byte[] data, String comment, String label) {
            if (comment.getBytes(StandardCharsets.UTF_8).length > COMMENT_MAX) {
                throw new IllegalArgumentException("element comment \"" + comment + "\" is longer than " + COMMENT_MAX + " bytes");
            }
            return new Op(set, key, data, comment, label);
        }

        public static Op delete(String set, byte[] key, String label) {
            return new Op(set, key, null, null, label);
        }

        boolean adds() {
            return data != null;
        }
    }

    /** Where an operation went: the message's sequence number and the element's offset in that message. */
    record Placed(int seq, int offset, Op op) {
    }

    private final ByteBuffer bytes;
    private final int firstSeq;
    private final int lastSeq;
    private final List<Placed> placed;

    private SetElemBatch(ByteBuffer bytes, int firstSeq, int lastSeq, List<Placed> placed) {
        this.bytes = bytes;
        this.firstSeq = firstSeq;
        this.lastSeq = lastSeq;
        this.placed = placed;
    }

    /** Encodes {@code ops}, in order, as one transaction on {@code table} (family inet); sequence numbers from {@code firstSeq}. */
    public static SetElemBatch encode(String table, List<Op> ops, int firstSeq) {
        NfEncoder enc = new NfEncoder(64 + ops.size() * 64);
        int seq = firstSeq;
        enc.begin(NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, seq++, 0, NFNL_SUBSYS_NFTABLES).end();
        List<Placed> placed = new ArrayList<>(ops.size());
        int i = 0;
        while (i < ops.size()) {
            Op first = ops.get(i);
            int type = (NFNL_SUBSYS_NFTABLES << 8) | (first.adds() ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM);
            enc.begin(type, NLM_F_REQUEST | (first.adds() ? NLM_F_CREATE : 0), seq, NFPROTO_INET, 0);
            enc.string(NFTA_SET_ELEM_LIST_TABLE, table).string(NFTA_SET_ELEM_LIST_SET, first.set());
            int list = enc.nest(NFTA_SET_ELEM_LIST_ELEMENTS);
            int listStart = enc.inMessage();
            int n = 0;
            while (i < ops.size() && sameMessage(first, ops.get(i)) && enc.inMessage() - listStart < LIST_LIMIT) {
                Op op = ops.get(i++);
                placed.add(new Placed(seq, enc.inMessage(), op));
                element(enc, op, ++n);
            }
            enc.endNest(list).end();
            seq++;
        }
        enc.begin(NFNL_MSG_BATCH_END, NLM_F_REQUEST, seq, 0, NFNL_SUBSYS_NFTABLES).end();
        return new SetElemBatch(enc.buffer(), firstSeq, seq, List.copyOf(placed));
    }

    private static boolean sameMessage(Op a, Op b) {
        return a.adds() == b.adds() && a.set().equals(b.set());
    }

    /** The {@code n}-th element of its list: libnftnl numbers the list's nests 1, 2, ... (the kernel ignores their type). */
    private static void element(NfEncoder enc, Op op, int n) {
        int el = enc.nest(n);
        int key = enc.nest(NFTA_SET_ELEM_KEY);
        enc.bytes(NFTA_DATA_VALUE, op.key()).endNest(key);
        if (op.adds()) {
            int data = enc.nest(NFTA_SET_ELEM_DATA);
            enc.bytes(NFTA_DATA_VALUE, op.data()).endNest(data);
            byte[] c = op.comment().getBytes(StandardCharsets.UTF_8);
            byte[] ud = new byte[c.length + 3];
            ud[0] = NFTNL_UDATA_SET_ELEM_COMMENT;
            ud[1] = (byte) (c.length + 1);
            System.arraycopy(c, 0, ud, 2, c.length);
            enc.bytes(NFTA_SET_ELEM_USERDATA, ud);
        }
        enc.endNest(el);
    }

    /**
     * A request the kernel answers only after everything sent before it on the socket: NFT_MSG_GETGEN
     * with NLM_F_ACK. Its ACK closes the batch's answers (nfnetlink handles a datagram completely,
     * errors included, before it reads the next).
     */
    public static ByteBuffer barrier(int seq) {
        return new NfEncoder(20).begin((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN, NLM_F_REQUEST | NLM_F_ACK, seq, 0, 0).end().buffer();
    }

    /** The datagram, ready to send (a fresh view each call). */
    public ByteBuffer bytes() {
        return bytes.duplicate().order(bytes.order());
    }

    public int firstSeq() {
        return firstSeq;
    }

    /** Sequence number of BATCH_END. */
    public int lastSeq() {
        return lastSeq;
    }

    /** The operation the kernel blamed: the element of message {@code seq} whose attribute holds {@code offset}; null if none. */
    public Op blamed(int seq, int offset) {
        Op found = null;
        for (Placed p : placed) {
            if (p.seq() == seq && p.offset() <= offset) {
                found = p.op();
            } else if (p.seq() > seq) {
                break;
            }
        }
        return offset < 0 ? null : found;
    }

    /** The operations of message {@code seq}. */
    public List<Op> opsOf(int seq) {
        List<Op> out = new ArrayList<>();
        for (Placed p : placed) {
            if (p.seq() == seq) {
                out.add(p.op());
            }
        }
        return out;
    }
}
