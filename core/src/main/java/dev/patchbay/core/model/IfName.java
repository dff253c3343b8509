package dev.patchbay.core.model;

import dev.patchbay.core.errors.InvalidInputException;
import java.nio.charset.StandardCharsets;

/** A network interface name as the kernel accepts it: 1–15 bytes, no '/', ':', whitespace or NUL, not "." or "..". */
public record IfName(String value) {
    public static final int MAX_BYTES = 15;

    public IfName {
        if (value == null || value.isEmpty()) {
            throw new InvalidInputException("interface name", value, "must not be empty");
        }
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw new InvalidInputException("interface name", value, "is " + bytes + " bytes long, at most " + MAX_BYTES + " are allowed");
        }
        if (value.equals(".") || value.equals("..")) {
            throw new InvalidInputException("interface name", value, "is reserved");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '/' || c == ':' || c == 0 || Character.isWhitespace(c) || Character.isISOControl(c)) {
                throw new InvalidInputException("interface name", value, "must not contain '/', ':', whitespace or control characters");
            }
        }
    }

    public static IfName of(String value) {
        return new IfName(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
