package dev.patchbay.firewall.nftables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.firewall.nftables.nfnl.NfAnswer;
import dev.patchbay.firewall.nftables.nfnl.SetElemBatch;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Patchbay's set-element batches against what nft sends for the same commands (resources/nfnl/README.md). */
class SetElemBatchGoldenTest {
    static final HexFormat HEX = HexFormat.of();

    static byte[] golden(String name) throws IOException {
        try (InputStream in = SetElemBatchGoldenTest.class.getResourceAsStream("/nfnl/" + name + ".hex")) {
            return HEX.parseHex(new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip());
        }
    }

    /** nft's datagram without NFTA_SET_ELEM_LIST_SET_ID (type 4) in its set-element messages. */
    static String withoutSetId(byte[] datagram) {
        ByteBuffer b = ByteBuffer.wrap(datagram).order(ByteOrder.nativeOrder());
        StringBuilder out = new StringBuilder();
        for (int p = 0; p < datagram.length; ) {
            int len = b.getInt(p);
            int type = Short.toUnsignedInt(b.getShort(p + 4));
            if (type >> 8 != 10) {
                out.append(HEX.formatHex(datagram, p, p + len));
            } else {
                StringBuilder attrs = new StringBuilder();
                for (int a = p + 20; a < p + len; ) {
                    int alen = Short.toUnsignedInt(b.getShort(a));
                    int padded = (alen + 3) & ~3;
                    if ((b.getShort(a + 2) & 0x3fff) != 4) {
                        attrs.append(HEX.formatHex(datagram, a, a + padded));
                    }
                    a += padded;
                }
                ByteBuffer head = ByteBuffer.wrap(datagram.clone(), p, 20).order(ByteOrder.nativeOrder());
                head.putInt(p, 20 + attrs.length() / 2);
                out.append(HEX.formatHex(head.array(), p, p + 20)).append(attrs);
            }
            p += (len + 3) & ~3;
        }
        return out.toString();
    }

    static NftRenderer.Element el(String map, String key, String value, String owner) {
        return new NftRenderer.Element(map, key, value, owner);
    }

    static String add(NftRenderer.Element... elements) {
        return HEX.formatHex(toArray(SetElemBatch.encode("patchbay", NftDirect.ops(List.of(), List.of(elements)), 0).bytes()));
    }

    static byte[] toArray(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void addsAsNftDoes() throws IOException {
        assertEquals(withoutSetId(golden("add_fwd4")), add(el("fwd4", "tcp . 8080", "10.89.0.2 . 80", "att:t/c1")));
        assertEquals(withoutSetId(golden("add_fwd4ip")), add(el("fwd4ip", "127.0.0.1 . udp . 8081", "10.89.0.3 . 53", "att:t/c2")));
        assertEquals(withoutSetId(golden("add_fwd6")), add(el("fwd6", "tcp . 443", "fd00::2 . 8443", "a")));
        assertEquals(withoutSetId(golden("add_fwd6ip")), add(el("fwd6ip", "::1 . tcp . 444", "fd00::3 . 8444", "b")));
        assertEquals(withoutSetId(golden("add_fwd4_two")), add(el("fwd4", "tcp . 9000", "10.89.0.5 . 80", "att:n/x"),
                el("fwd4", "udp . 9001", "10.89.0.5 . 81", "att:n/x")));
    }

    @Test
    void deletesAsNftDoes() throws IOException {
        SetElemBatch b = SetElemBatch.encode("patchbay", NftDirect.ops(List.of(el("fwd4", "tcp . 8080", "10.89.0.2 . 80", "att:t/c1")), List.of()), 0);
        assertEquals(withoutSetId(golden("del_fwd4")), HEX.formatHex(toArray(b.bytes())));
    }

    @Test
    void readsTheKernelsErrorAndFindsTheElementItBlames() throws IOException {
        List<NfAnswer> answers = NfAnswer.parse(ByteBuffer.wrap(golden("reply_newsetelem_eexist")).order(ByteOrder.nativeOrder()));
        assertEquals(List.of(new NfAnswer(2, 1, 17, null, 104)), answers);
        // the same two elements in Patchbay's encoding (no SET_ID: 8 bytes less before the list)
        List<SetElemBatch.Op> ops = NftDirect.ops(List.of(), List.of(el("fwd4", "tcp . 7000", "10.89.0.2 . 80", "x"),
                el("fwd4", "tcp . 8080", "10.89.0.9 . 80", "x")));
        SetElemBatch b = SetElemBatch.encode("patchbay", ops, 0);
        assertSame(ops.get(1), b.blamed(1, 104 - 8));
        assertSame(ops.get(0), b.blamed(1, 52));
        assertNull(b.blamed(1, 40), "the set name attribute, before any element");
        assertNull(b.blamed(1, -1));
    }

    @Test
    void splitsLongListsBelowTheAttributeLimit() {
        List<NftRenderer.Element> many = new ArrayList<>();
        for (int k = 0; k < 10_000; k++) {
            many.add(el("fwd4", "tcp . " + (10000 + k), "10.250." + k / 250 + "." + (k % 250 + 2) + " . 80", "bench:all"));
        }
        many.add(el("fwd6", "udp . 53", "fd00::53 . 53", "bench:all"));
        SetElemBatch b = SetElemBatch.encode("patchbay", NftDirect.ops(List.of(many.get(5)), many), 100);
        ByteBuffer d = b.bytes();
        List<Integer> types = new ArrayList<>();
        int elements = 0;
        for (int p = 0; p < d.limit(); ) {
            int len = d.getInt(p);
            int type = Short.toUnsignedInt(d.getShort(p + 4));
            assertEquals(100 + types.size(), d.getInt(p + 8), "sequence numbers count up");
            types.add(type);
            if (type >> 8 == 10) {
                assertTrue(len - 20 - 16 - 12 <= 0xffff, "element list of " + len);
                elements += b.opsOf(d.getInt(p + 8)).size();
            }
            p += (len + 3) & ~3;
        }
        assertEquals(0x10, types.get(0));
        assertEquals(0x0a0e, types.get(1), "the deletion first");
        assertEquals(0x11, types.get(types.size() - 1));
        assertEquals(10_002, elements);
        assertEquals(b.lastSeq(), 100 + types.size() - 1);
        assertTrue(types.size() > 5, "10,000 elements of 52 bytes need several messages: " + types.size());
    }

    @Test
    void refusesValuesThatDoNotFitTheMapNamingThem() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> NftDirect.ops(List.of(),
                List.of(el("fwd4", "tcp . 8080", "10.89.0.300 . 80", "o"))));
        assertTrue(e.getMessage().contains("value of fwd4 element") && e.getMessage().contains("10.89.0.300"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> NftDirect.ops(List.of(el("fwd4", "tcp . 70000", "", "o")), List.of()));
        assertThrows(InvalidInputException.class, () -> NftDirect.ops(List.of(el("fwd4", "tcp", "", "o")), List.of()));
        assertThrows(InvalidInputException.class, () -> NftDirect.ops(List.of(el("fwd4", "tcp . 80 . 9", "", "o")), List.of()));
        assertThrows(InvalidInputException.class, () -> NftDirect.ops(List.of(el("fwd4ip", "fd00::1 . tcp . 80", "", "o")), List.of()));
        assertThrows(InvalidInputException.class, () -> NftDirect.ops(List.of(el("fwd6ip", "10.0.0.1 . tcp . 80", "", "o")), List.of()));
        assertThrows(InvalidInputException.class, () -> NftDirect.ops(List.of(el("fwd4", "icmp . 80", "", "o")), List.of()));
    }

    @Test
    void theSkeletonDeclaresTheLayoutsTheEncoderUses() {
        for (String map : NftRenderer.MAPS) {
            String decl = "add map " + NftRenderer.T + " " + map + " { type " + NftDirect.LAYOUTS.get(map).spell() + "; }";
            assertTrue(NftRenderer.skeleton().contains(decl), decl);
        }
    }
}
