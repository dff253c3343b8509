package dev.patchbay.sys;

import java.nio.charset.StandardCharsets;

/**
 * libnftables 1.0.x through libpatchbay-sys, which opens {@code libnftables.so.1} on first use. A context is a
 * handle ({@code long}); its netlink socket belongs to the namespace of the thread that made it. Not synchronised:
 * a context's owner serialises its calls.
 */
public final class Nftables {
    /** Output flags ({@code NFT_CTX_OUTPUT_*}). */
    public static final int OUTPUT_HANDLE = 1 << 3;
    public static final int OUTPUT_JSON = 1 << 4;
    public static final int OUTPUT_ECHO = 1 << 5;

    private Nftables() {
    }

    /** Why libnftables cannot be used here (the loader's message), or null when it can. */
    public static String unavailable() {
        return Native.nftUnavailable();
    }

    /** A new context with buffered output and errors, in the calling thread's namespace; 0 if none could be made. */
    public static long newContext() {
        return Native.nftNew();
    }

    public static void free(long ctx) {
        Native.nftFree(ctx);
    }

    /** The outcome of one run: libnftables' return code, its output and its error text (either may be empty). */
    public record Run(int rc, String output, String error) {
    }

    /** Runs {@code commands} as one transaction with these output flags. */
    public static Run run(long ctx, int flags, String commands) {
        if (ctx == 0) {
            throw new IllegalArgumentException("no nftables context");
        }
        byte[][] out = new byte[2][];
        int rc = Native.nftRun(ctx, flags, LibC.cString(commands), out);
        return new Run(rc, text(out[0]), text(out[1]));
    }

    private static String text(byte[] b) {
        return b == null ? "" : new String(b, StandardCharsets.UTF_8);
    }
}
