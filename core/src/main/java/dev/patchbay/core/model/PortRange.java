package dev.patchbay.core.model;

import dev.patchbay.core.errors.InvalidInputException;

/** An inclusive range of ports 1..65535; a single port has {@code first == last}. */
public record PortRange(int first, int last) {
    public PortRange {
        if (first < 1 || first > 65535) {
            throw new InvalidInputException("port", first, "must be 1..65535");
        }
        if (last < first || last > 65535) {
            throw new InvalidInputException("port range", first + "-" + last, "end must be between start and 65535");
        }
    }

    public static PortRange of(int port) {
        return new PortRange(port, port);
    }

    public static PortRange parse(String field, String text) {
        if (text == null || !text.matches("\\d{1,6}(-\\d{1,6})?")) {
            throw new InvalidInputException(field, text, "expected PORT or START-END, ports 1..65535");
        }
        int dash = text.indexOf('-');
        int first = Integer.parseInt(dash < 0 ? text : text.substring(0, dash));
        int last = dash < 0 ? first : Integer.parseInt(text.substring(dash + 1));
        if (first < 1 || first > 65535 || last < 1 || last > 65535) {
            throw new InvalidInputException(field, text, "ports must be 1..65535");
        }
        if (last < first) {
            throw new InvalidInputException(field, text, "range end is below its start");
        }
        return new PortRange(first, last);
    }

    public int size() {
        return last - first + 1;
    }

    public boolean overlaps(PortRange other) {
        return first <= other.last && other.first <= last;
    }

    @Override
    public String toString() {
        return first == last ? Integer.toString(first) : first + "-" + last;
    }
}
