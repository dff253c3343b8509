package dev.patchbay.launcher;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads one request frame ({@link DaemonSocket}'s wire format) from a client the daemon does not trust to be well
 * behaved. The network configuration of a CNI call may be at most {@link CniRequest#MAX_CONFIG} bytes, everything else
 * of a frame together (namespace, type, environment or arguments) at most {@value #MAX_REST}; a frame past either is
 * refused as soon as its length says so ({@link TooLarge}), before its bytes are read. No length a client states is
 * allocated up front: a string's buffer grows with the bytes that arrived ({@code readNBytes}), so a client that
 * announces 60 MB and sends nothing costs nothing.
 */
final class DaemonFrameReader {
    /** Everything of a frame but the CNI configuration, together: a runtime's environment is a few KB. */
    static final int MAX_REST = 256 << 10;
    /** A frame past this is large: the daemon reads and runs only a few of those at once ({@link Hooks#large}). */
    static final int SMALL = 16 << 10;
    private static final int MAX_ITEMS = 10_000;
    /** A reply's strings come from the daemon, which is trusted: the CLI's longest output ({@code ls -o json}) fits. */
    private static final int MAX_REPLY_STRING = 64 << 20;

    /** What the daemon does as the frame is read. */
    interface Hooks {
        /** The first int was read: the wire version (1, 2, 3 or 4). */
        default void version(int version) throws IOException {
        }

        /** The frame grows past {@value #SMALL} bytes: called once, before those bytes are read. */
        default void large() throws IOException {
        }
    }

    /** A frame past a limit; says which, for the answer (a CNI error for a CNI call). */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;
        final int version;
        final boolean cni;
        final boolean config;

        TooLarge(int version, boolean cni, boolean config, String message) {
            super(message);
            this.version = version;
            this.cni = cni;
            this.config = config;
        }
    }

    private final DataInputStream in;
    private final Hooks hooks;
    private int version;
    private boolean cni;
    private long size;
    private long rest;
    private boolean large;

    private DaemonFrameReader(DataInputStream in, Hooks hooks) {
        this.in = in;
        this.hooks = hooks;
    }

    static DaemonSocket.Call read(DataInputStream in, Hooks hooks) throws IOException {
        return new DaemonFrameReader(in, hooks).call();
    }

    private DaemonSocket.Call call() throws IOException {
        int first = in.readInt();
        if (first >= 0) {
            version = 1;
            hooks.version(1);
            return cli(new String(bytes(first, false), StandardCharsets.UTF_8));
        }
        if (first != DaemonSocket.WIRE_V2 && first != DaemonSocket.WIRE_V3 && first != DaemonSocket.WIRE_V4) {
            throw new IOException("unknown wire version " + -first);
        }
        version = -first;
        hooks.version(version);
        String kind = string();
        if (kind.equals(DaemonSocket.KIND_CLI) && version >= 3) {
            return cli(string());
        }
        if (!kind.equals(DaemonSocket.KIND_CNI)) {
            throw new IOException("unknown request kind " + kind);
        }
        cni = true;
        String ns = string();
        String type = string();
        int n = count("environment entries");
        Map<String, String> env = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String entry = string();
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.putIfAbsent(entry.substring(0, eq), entry.substring(eq + 1)); // the first wins, as for getenv(3)
            }
        }
        byte[] stdin = bytes(in.readInt(), true);
        return new DaemonSocket.CniCall(ns, type, Collections.unmodifiableMap(env), stdin);
    }

    private DaemonSocket.Request cli(String ns) throws IOException {
        String[] args = new String[count("arguments")];
        for (int i = 0; i < args.length; i++) {
            args[i] = string();
        }
        return new DaemonSocket.Request(ns, args);
    }

    private int count(String what) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_ITEMS) {
            throw new IOException("bad request: " + n + " " + what);
        }
        return n;
    }

    private String string() throws IOException {
        return new String(bytes(in.readInt(), false), StandardCharsets.UTF_8);
    }

    private byte[] bytes(int n, boolean config) throws IOException {
        if (n < 0) {
            throw new IOException("bad frame length " + n);
        }
        if (config && n > CniRequest.MAX_CONFIG) {
            throw new TooLarge(version, cni, true, CniRequest.tooLargeMessage());
        }
        if (!config) {
            rest += 4L + n;
            if (rest > MAX_REST) {
                throw new TooLarge(version, cni, false, "the request is larger than the daemon's limit of " + MAX_REST
                        + " bytes for " + (cni ? "the environment of a CNI call" : "a command line"));
            }
        }
        size += 4L + n;
        if (!large && size > SMALL) {
            large = true;
            hooks.large();
        }
        return exactly(in, n);
    }

    private static byte[] exactly(DataInputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n); // grows with what arrives
        if (b.length != n) {
            throw new EOFException("frame cut short");
        }
        return b;
    }

    /** A string of a reply, from the daemon. */
    static String replyString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_REPLY_STRING) {
            throw new IOException("bad frame length " + n);
        }
        return new String(exactly(in, n), StandardCharsets.UTF_8);
    }
}
