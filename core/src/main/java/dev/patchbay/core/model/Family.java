package dev.patchbay.core.model;

import java.net.Inet4Address;
import java.net.InetAddress;

/** Address family. */
public enum Family {
    INET(32), INET6(128);

    private final int bits;

    Family(int bits) {
        this.bits = bits;
    }

    public int bits() {
        return bits;
    }

    public static Family of(InetAddress address) {
        return address instanceof Inet4Address ? INET : INET6;
    }
}
