package dev.patchbay.launcher;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the daemon of a network namespace listens, and the wire format between CLI and daemon.
 * The socket is named after the namespace the process runs in ({@code /run/patchbay/net-INODE.sock}),
 * so a CLI started in another namespace finds no daemon rather than the wrong one; the daemon checks
 * the namespace the client names as well. Frames: a request is the client's namespace and its
 * arguments; a reply is the exit code, stdout and stderr.
 */
final class DaemonSocket {
    static final String ENV_RUN_DIR = "PATCHBAY_RUN_DIR";
    static final String ENV_DAEMON = "PATCHBAY_DAEMON";

    private DaemonSocket() {
    }

    /** The namespace this thread runs in, as the kernel names it: {@code net:[4026532281]}. */
    static String currentNetns() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
        } catch (IOException e) {
            return "unknown";
        }
    }

    static Path path() {
        StringBuilder name = new StringBuilder("net-");
        for (char c : currentNetns().toCharArray()) {
            if (c >= '0' && c <= '9') {
                name.append(c);
            }
        }
        String dir = System.getenv(ENV_RUN_DIR);
        return Path.of(dir == null || dir.isEmpty() ? "/run/patchbay" : dir, name.append(".sock").toString());
    }

    record Request(String netns, String[] args) {
    }

    record Reply(int code, String out, String err) {
    }

    static void write(DataOutputStream out, Request r) throws IOException {
        writeString(out, r.netns());
        out.writeInt(r.args().length);
        for (String a : r.args()) {
            writeString(out, a);
        }
        out.flush();
    }

    static Request readRequest(DataInputStream in) throws IOException {
        String ns = readString(in);
        int n = in.readInt();
        if (n < 0 || n > 10_000) {
            throw new IOException("bad request: " + n + " arguments");
        }
        String[] args = new String[n];
        for (int i = 0; i < n; i++) {
            args[i] = readString(in);
        }
        return new Request(ns, args);
    }

    static void write(DataOutputStream out, Reply r) throws IOException {
        out.writeInt(r.code());
        writeString(out, r.out());
        writeString(out, r.err());
        out.flush();
    }

    static Reply readReply(DataInputStream in) throws IOException {
        return new Reply(in.readInt(), readString(in), readString(in));
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > (64 << 20)) {
            throw new IOException("bad frame length " + n);
        }
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }
}
