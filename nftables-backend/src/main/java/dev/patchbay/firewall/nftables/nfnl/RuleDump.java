package dev.patchbay.firewall.nftables.nfnl;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The rules of one inet table, read as a dump: NFT_MSG_GETRULE with NLM_F_DUMP and NFTA_RULE_TABLE. The kernel answers
 * one NFT_MSG_NEWRULE per rule, with NFTA_RULE_CHAIN (a string), NFTA_RULE_HANDLE (a big-endian u64) and, for a rule
 * with a comment, NFTA_RULE_USERDATA: TLVs of a u8 type and a u8 length, the comment being type 0
 * (NFTNL_UDATA_RULE_COMMENT), NUL-terminated. NLMSG_DONE ends the dump. Its cost follows the table's rules, not its
 * sets' elements (libnftables' echo reads those too).
 */
public final class RuleDump {
    static final int NFT_MSG_NEWRULE = 6;
    static final int NFT_MSG_GETRULE = 7;
    static final int NLM_F_DUMP = 0x300;
    static final int NLMSG_DONE = 3;
    static final int NFTA_RULE_TABLE = 1;
    static final int NFTA_RULE_CHAIN = 2;
    static final int NFTA_RULE_HANDLE = 3;
    static final int NFTA_RULE_USERDATA = 7;
    static final int NFTNL_UDATA_RULE_COMMENT = 0;
    static final int NEWRULE = (SetElemBatch.NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE;

    /** One rule: its chain, its handle and its comment (null: none). */
    public record Rule(String chain, long handle, String comment) {
    }

    /** What a datagram said of the dump. */
    public enum Progress { MORE, DONE }

    private RuleDump() {
    }

    /** The request for the rules of inet table {@code table}. */
    public static ByteBuffer request(int seq, String table) {
        return new NfEncoder(64).begin((SetElemBatch.NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETRULE,
                SetElemBatch.NLM_F_REQUEST | NLM_F_DUMP, seq, SetElemBatch.NFPROTO_INET, 0).string(NFTA_RULE_TABLE, table).end().buffer();
    }

    /**
     * Adds to {@code out} the rules answering request {@code seq} in datagram {@code d} (native order, 0 to limit);
     * DONE once the dump's end is in it. An error answer throws {@link NfError}.
     */
    public static Progress read(ByteBuffer d, int seq, List<Rule> out) {
        for (NfAnswer.At m : NfAnswer.messages(d)) {
            if (m.seq() != seq) {
                continue;
            }
            if (m.type() == NLMSG_DONE) {
                return Progress.DONE;
            }
            if (m.type() == NfAnswer.NLMSG_ERROR && m.length() >= 20 && d.getInt(m.offset() + 16) != 0) {
                throw new NfError(-d.getInt(m.offset() + 16));
            }
            if (m.type() == NEWRULE) {
                out.add(rule(d, m.offset() + 20, m.offset() + m.length()));
            }
        }
        return Progress.MORE;
    }

    private static Rule rule(ByteBuffer d, int from, int end) {
        String chain = null;
        String comment = null;
        long handle = -1;
        for (int a = from; a + 4 <= end; ) {
            int alen = Short.toUnsignedInt(d.getShort(a));
            if (alen < 4 || a + alen > end) {
                break;
            }
            int atype = d.getShort(a + 2) & 0x3fff;
            if (atype == NFTA_RULE_CHAIN) {
                chain = cString(d, a + 4, a + alen);
            } else if (atype == NFTA_RULE_HANDLE && alen >= 12) {
                handle = 0;
                for (int i = 0; i < 8; i++) {
                    handle = (handle << 8) | (d.get(a + 4 + i) & 0xff); // big-endian, whatever the buffer's order
                }
            } else if (atype == NFTA_RULE_USERDATA) {
                comment = comment(d, a + 4, a + alen);
            }
            a += (alen + 3) & ~3;
        }
        return new Rule(chain, handle, comment);
    }

    /** The comment TLV of a rule's user data, or null. */
    private static String comment(ByteBuffer d, int from, int end) {
        for (int t = from; t + 2 <= end; ) {
            int type = d.get(t) & 0xff;
            int len = d.get(t + 1) & 0xff;
            if (t + 2 + len > end) {
                return null;
            }
            if (type == NFTNL_UDATA_RULE_COMMENT) {
                return cString(d, t + 2, t + 2 + len);
            }
            t += 2 + len;
        }
        return null;
    }

    private static String cString(ByteBuffer d, int from, int end) {
        int z = from;
        while (z < end && d.get(z) != 0) {
            z++;
        }
        byte[] b = new byte[z - from];
        d.get(from, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The kernel refused the dump: {@link #errno}. */
    public static final class NfError extends RuntimeException {
        private final int errno;

        NfError(int errno) {
            super("errno " + errno);
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }
    }
}
