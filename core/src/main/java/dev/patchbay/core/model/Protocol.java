package dev.patchbay.core.model;

import dev.patchbay.core.errors.InvalidInputException;
import java.util.Locale;

/** Transport protocol of a port mapping, with its IP protocol number. */
public enum Protocol {
    TCP(6), UDP(17), SCTP(132);

    private final int number;

    Protocol(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Protocol parse(String text) {
        for (Protocol p : values()) {
            if (p.label().equalsIgnoreCase(text)) {
                return p;
            }
        }
        throw new InvalidInputException("protocol", text, "expected tcp, udp or sctp");
    }
}
