package dev.patchbay.core.model;

import dev.patchbay.core.errors.InvalidInputException;
import java.util.HexFormat;
import java.util.Locale;

/** A 48-bit Ethernet address, kept in canonical form {@code aa:bb:cc:dd:ee:ff}. */
public record MacAddress(String value) {
    private static final HexFormat COLONS = HexFormat.ofDelimiter(":");

    public MacAddress {
        if (value == null || !value.matches("(?i)[0-9a-f]{2}(:[0-9a-f]{2}){5}")) {
            throw new InvalidInputException("MAC address", value, "expected six hex pairs like 02:42:ac:11:00:02");
        }
        value = value.toLowerCase(Locale.ROOT);
    }

    public static MacAddress parse(String text) {
        return new MacAddress(text);
    }

    public static MacAddress of(byte[] bytes) {
        if (bytes.length != 6) {
            throw new InvalidInputException("MAC address", COLONS.formatHex(bytes), "must be 6 bytes");
        }
        return new MacAddress(COLONS.formatHex(bytes));
    }

    public byte[] bytes() {
        return COLONS.parseHex(value);
    }

    /** Locally administered and unicast: bit 1 of the first octet set, bit 0 clear. */
    public boolean isLocalUnicast() {
        int first = Integer.parseInt(value.substring(0, 2), 16);
        return (first & 0x02) != 0 && (first & 0x01) == 0;
    }

    @Override
    public String toString() {
        return value;
    }
}
