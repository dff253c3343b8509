package dev.patchbay.netlink;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Reads the checked-in hex fixtures of src/test/resources/golden (see the README there). */
final class Golden {
    private Golden() {
    }

    static String hex(String name) {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name + ".hex")) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).replaceAll("\\s", "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ByteBuffer buffer(String name) {
        byte[] b = HexFormat.of().parseHex(hex(name));
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
    }
}
