package dev.patchbay.firewall.nftables.nfnl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleDumpTest {
    @Test
    void requestIsAGetruleDumpOfTheTable() {
        ByteBuffer b = RuleDump.request(7, "patchbay");
        assertEquals(b.limit(), b.getInt(0));
        assertEquals((10 << 8) | 7, Short.toUnsignedInt(b.getShort(4)));
        assertEquals(0x01 | 0x300, Short.toUnsignedInt(b.getShort(6)));
        assertEquals(7, b.getInt(8));
        assertEquals(1, b.get(16)); // NFPROTO_INET
        assertEquals(4 + 9, Short.toUnsignedInt(b.getShort(20))); // NFTA_RULE_TABLE, "patchbay\0"
        assertEquals(1, b.getShort(22));
    }

    @Test
    void readsChainHandleAndCommentOfEachRuleUntilDone() {
        NfEncoder e = new NfEncoder(256);
        rule(e, 5, "nat-pre", 42, "net:web");
        rule(e, 5, "filter-fwd", 43, null);
        rule(e, 4, "nat-pre", 44, "another request's");
        List<RuleDump.Rule> out = new ArrayList<>();
        assertEquals(RuleDump.Progress.MORE, RuleDump.read(e.buffer(), 5, out));
        assertEquals(List.of(new RuleDump.Rule("nat-pre", 42, "net:web"), new RuleDump.Rule("filter-fwd", 43, null)), out);

        ByteBuffer done = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder());
        done.putInt(20).putShort((short) 3).putShort((short) 2).putInt(5).putInt(0).putInt(0).flip();
        assertEquals(RuleDump.Progress.DONE, RuleDump.read(done, 5, out));
    }

    @Test
    void anErrorAnswerNamesItsErrno() {
        ByteBuffer err = ByteBuffer.allocate(36).order(ByteOrder.nativeOrder());
        err.putInt(36).putShort((short) 2).putShort((short) 0).putInt(9).putInt(0).putInt(-2).put(new byte[16]).flip();
        assertEquals(2, assertThrows(RuleDump.NfError.class, () -> RuleDump.read(err, 9, new ArrayList<>())).errno());
    }

    private static void rule(NfEncoder e, int seq, String chain, long handle, String comment) {
        e.begin(RuleDump.NEWRULE, 2, seq, 1, 0).string(RuleDump.NFTA_RULE_TABLE, "patchbay").string(RuleDump.NFTA_RULE_CHAIN, chain);
        e.bytes(RuleDump.NFTA_RULE_HANDLE, ByteBuffer.allocate(8).putLong(handle).array());
        if (comment != null) {
            byte[] c = (comment + "\0").getBytes(StandardCharsets.UTF_8);
            byte[] tlv = new byte[2 + c.length];
            tlv[0] = 0;
            tlv[1] = (byte) c.length;
            System.arraycopy(c, 0, tlv, 2, c.length);
            e.bytes(RuleDump.NFTA_RULE_USERDATA, tlv);
        }
        e.end();
    }
}
