package dev.patchbay.firewall.nftables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.firewall.nftables.nfnl.Generation;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** When the nftables backend trusts its view of the table without reading it, and the GETGEN messages. */
class GenerationsTest {

    @Test
    void aViewIsTrustedOnlyOnceFoundWholeAndWhileOnlyItsOwnCommitsCount() {
        Generations g = new Generations();
        assertFalse(g.unchanged(5, 0), "nothing read yet");
        g.read(5, 0);
        assertFalse(g.unchanged(5, 0), "read, but not yet compared with the records");
        g.whole();
        assertTrue(g.unchanged(5, 0));
        assertTrue(g.unchanged(7, 2), "two commits of its own");
        assertTrue(g.unchanged(8, 3), "and one more");
        assertFalse(g.unchanged(10, 4), "someone else committed too (an nft flush)");
        assertFalse(g.unchanged(10, 4), "still not trusted: the table must be read again");
        g.read(10, 4);
        g.whole();
        assertFalse(g.unchanged(10, 5), "a commit of its own the kernel did not count: read again");
    }

    @Test
    void theGenerationWrapsAround() {
        Generations g = new Generations();
        g.read(0xffffffffL, 10);
        g.whole();
        assertTrue(g.unchanged(1, 12));
    }

    @Test
    void aViewReadAgainOrForgottenIsNotTrusted() {
        Generations g = new Generations();
        g.read(3, 0);
        g.whole();
        g.read(3, 0);
        assertFalse(g.unchanged(3, 0), "read again (an owners() call): compared again first");
        g.whole();
        g.forget();
        g.whole();
        assertFalse(g.unchanged(3, 0));
    }

    @Test
    void getgenIsAnNftablesRequestWithoutAck() {
        ByteBuffer b = Generation.request(0x01020304);
        assertEquals(20, b.remaining());
        assertEquals(20, b.getInt(0));
        assertEquals((10 << 8) | 16, b.getShort(4));
        assertEquals(1, b.getShort(6), "NLM_F_REQUEST only");
        assertEquals(0x01020304, b.getInt(8));
    }

    @Test
    void newgenCarriesTheIdBigEndian() {
        ByteBuffer d = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
        d.putInt(0).putShort((short) ((10 << 8) | 15)).putShort((short) 0).putInt(42).putInt(0); // nlmsghdr
        d.put(new byte[] {0, 0, 0, 7}); // nfgenmsg
        d.putShort((short) 8).putShort((short) 1).put(HexFormat.of().parseHex("80000102")); // NFTA_GEN_ID
        d.putShort((short) 8).putShort((short) 2).putInt(99); // NFTA_GEN_PROC_PID
        d.putInt(0, d.position());
        d.flip();
        assertEquals(0x80000102L, Generation.id(d, 42));
        assertEquals(-1, Generation.id(d, 43), "another request's answer");
    }
}
