package dev.patchbay.firewall.nftables.nfnl;

import java.nio.ByteBuffer;

/**
 * The nf_tables ruleset generation: every committed nf_tables transaction in a namespace, anyone's (nft,
 * iptables-nft, Patchbay's), adds one to it. Asked with NFT_MSG_GETGEN; the kernel answers NFT_MSG_NEWGEN
 * with NFTA_GEN_ID, a big-endian u32, after its {@code nfgenmsg}.
 */
public final class Generation {
    static final int NFT_MSG_NEWGEN = 15;
    static final int NFTA_GEN_ID = 1;
    static final int NEWGEN = (SetElemBatch.NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN;

    private Generation() {
    }

    /** The request: NFT_MSG_GETGEN, no ACK (the answer, or an error, is what comes back). */
    public static ByteBuffer request(int seq) {
        return new NfEncoder(20).begin((SetElemBatch.NFNL_SUBSYS_NFTABLES << 8) | SetElemBatch.NFT_MSG_GETGEN,
                SetElemBatch.NLM_F_REQUEST, seq, 0, 0).end().buffer();
    }

    /** The generation in the answer to request {@code seq} in datagram {@code d} (native order, 0 to limit); -1 if none is there. */
    public static long id(ByteBuffer d, int seq) {
        for (NfAnswer.At m : NfAnswer.messages(d)) {
            if (m.type() != NEWGEN || m.seq() != seq) {
                continue;
            }
            int end = m.offset() + m.length();
            for (int a = m.offset() + 20; a + 4 <= end; ) {
                int alen = Short.toUnsignedInt(d.getShort(a));
                if (alen < 4 || a + alen > end) {
                    break;
                }
                if ((d.getShort(a + 2) & 0x3fff) == NFTA_GEN_ID && alen >= 8) {
                    long id = 0;
                    for (int i = 0; i < 4; i++) {
                        id = (id << 8) | (d.get(a + 4 + i) & 0xff); // big-endian, whatever the buffer's order
                    }
                    return id;
                }
                a += (alen + 3) & ~3;
            }
        }
        return -1;
    }
}
