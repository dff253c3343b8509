package dev.patchbay.core.model;

/** Route and address scope, with the kernel's numeric values. */
public enum Scope {
    UNIVERSE(0), SITE(200), LINK(253), HOST(254), NOWHERE(255);

    private final int value;

    Scope(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }

    public static Scope of(int value) {
        for (Scope s : values()) {
            if (s.value == value) {
                return s;
            }
        }
        return UNIVERSE;
    }
}
