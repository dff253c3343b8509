package dev.patchbay.launcher;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.LinkOption;
import java.util.Optional;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the daemon of a network namespace listens, and the wire format between CLI and daemon.
 * The socket is named after the namespace the process runs in ({@code /run/patchbay/net-INODE.sock}),
 * so a CLI started in another namespace finds no daemon rather than the wrong one; the daemon checks
 * the namespace the client names as well.
 *
 * <p>Frames are big-endian ints and strings (an int length, then UTF-8 bytes), as {@code DataOutputStream} writes
 * them. A reply is the exit code, stdout and stderr. A request is either
 * <ul>
 * <li>version 1, the CLI's: the client's namespace, the number of arguments, the arguments. It starts with a string
 *     length, so never with a negative int;</li>
 * <li>version 2: the int {@value #WIRE_V2}, then a kind. Kind {@value #KIND_CNI} is a CNI plugin call forwarded by
 *     the shim ({@code src/main/c/cni-shim.c}): the client's namespace, the plugin type it was called as, the number
 *     of environment entries, each entry as {@code NAME=VALUE}, and stdin as one string of bytes.</li>
 * <li>version 3, what the CLI and the shim send: the int {@value #WIRE_V3}, then a kind: {@value #KIND_CNI} as in
 *     version 2, or {@value #KIND_CLI} followed by the body of a version 1 request. Its reply is preceded by progress
 *     bytes: the daemon writes {@value #PROGRESS} as soon as it knows the version and then every
 *     {@value DaemonConnection#BEAT_MS} ms until the reply, which starts with the byte {@value #REPLY}. A client tells a
 *     daemon that is not reading (no byte for {@value #SILENCE_MS} ms) from a request that takes long (bytes keep
 *     coming).</li>
 * <li>version 4, what the CLI sends: the int {@value #WIRE_V4}, then as version 3. Its reply is version 3's, except
 *     that a command whose service streams ({@code patchbay.command.streams=true}: {@code patchbay events}) sends its
 *     output as it flushes it, each piece as the byte {@value #OUTPUT}, the stream ({@value #STDOUT} stdout,
 *     {@value #STDERR} stderr) and a string, between the progress bytes; its final reply then holds only the exit
 *     code. Such a command runs until the client goes away (it is interrupted); a version 3 client is refused it
 *     (exit 3), and every other command's reply is the same in both versions.</li>
 * </ul>
 * A daemon that does not know a version or kind closes the connection without a reply. Frames have limits (see
 * {@link DaemonFrameReader}).
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
        return Path.of(Settings.current().get(Setting.RUN_DIR), name.append(".sock").toString()); // PATCHBAY_RUN_DIR, else the file's
    }

    /** A daemon socket the client will not talk to; the message says why, in one line for the operator. */
    static final class UntrustedSocket extends IOException {
        private static final long serialVersionUID = 1L;

        UntrustedSocket(String message) {
            super(message);
        }
    }

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final int S_IFDIR = 0040000;

    /**
     * Connects to the daemon at {@code sock}, trusting it by the rules of the CNI shim ({@code connect_daemon} in
     * {@code src/main/c/cni-shim.c}): the socket is a socket owned by root, in a folder owned by root that nobody else
     * may write (so nobody else can have put it there or swap it), and the process serving it is root's
     * ({@code SO_PEERCRED}). Empty when no daemon serves: no socket, one this user may not reach (not root: the daemon
     * is not theirs to use), or a stale one nobody listens on. {@link UntrustedSocket} when something else is there.
     */
    static Optional<SocketChannel> connectTrusted(Path sock) throws UntrustedSocket {
        return connectTrusted(sock, ch -> { });
    }

    /** As {@link #connectTrusted(Path)}; {@code opened} gets the channel before it connects (to close it on a deadline). */
    static Optional<SocketChannel> connectTrusted(Path sock, java.util.function.Consumer<SocketChannel> opened) throws UntrustedSocket {
        Map<String, Object> st;
        try {
            st = Files.readAttributes(sock, "unix:mode,uid", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return Optional.empty(); // absent, or a folder this user may not enter
        }
        int uid = (Integer) st.get("uid");
        if (((Integer) st.get("mode") & S_IFMT) != S_IFSOCK || uid != 0) {
            throw new UntrustedSocket("refusing " + sock + ": not a socket owned by root (uid " + uid + ")");
        }
        Path dir = sock.toAbsolutePath().getParent();
        try {
            st = Files.readAttributes(dir, "unix:mode,uid");
        } catch (IOException e) {
            return Optional.empty();
        }
        int mode = (Integer) st.get("mode");
        if ((mode & S_IFMT) != S_IFDIR || (Integer) st.get("uid") != 0 || (mode & 022) != 0) {
            throw new UntrustedSocket(String.format("refusing %s: its folder %s is not root's alone (owner uid %d, mode %03o)",
                    sock, dir, (Integer) st.get("uid"), mode & 0777));
        }
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            opened.accept(ch);
            ch.connect(UnixDomainSocketAddress.of(sock));
            UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
            if (!peer.user().equals(Files.getOwner(sock, LinkOption.NOFOLLOW_LINKS))) { // the owner: uid 0, checked above
                ch.close();
                throw new UntrustedSocket("refusing " + sock + ": the process serving it is not root's (user " + peer.user().getName() + ")");
            }
            return Optional.of(ch);
        } catch (UntrustedSocket e) {
            throw e;
        } catch (IOException | UnsupportedOperationException e) {
            closeQuietly(ch);
            return Optional.empty(); // a stale socket of a dead daemon, or one this user may not connect to: no daemon
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }

    /** The first int of a version 2 request (a version 1 request starts with a string length, never negative). */
    static final int WIRE_V2 = -2;
    /** The version 2 request kind of a CNI plugin call. */
    static final String KIND_CNI = "cni";
    /** The first int of a version 3 request. */
    static final int WIRE_V3 = -3;
    /** The first int of a version 4 request: version 3 whose reply may carry {@link #OUTPUT} frames. */
    static final int WIRE_V4 = -4;
    /** The version 3 request kind of a command line. */
    static final String KIND_CLI = "cli";
    /** Version 3 replies: a progress byte (the daemon has the request, or is still on it) and the reply's first byte. */
    static final int PROGRESS = 0;
    static final int REPLY = 1;
    /** Version 4: output of a streaming command, as it is written: the byte, an int stream (1 stdout, 2 stderr), a string. */
    static final int OUTPUT = 2;
    static final int STDOUT = 1;
    static final int STDERR = 2;
    /** How long a version 3 client waits for the daemon's next byte (connecting, sending, or waiting for the reply). */
    static final long SILENCE_MS = 10_000;

    /** What a client asks of the daemon of {@code netns}. */
    sealed interface Call permits Request, CniCall {
        String netns();
    }

    /** A command line (version 1). */
    record Request(String netns, String[] args) implements Call {
    }

    /**
     * A CNI plugin call (version 2, kind {@value #KIND_CNI}): the plugin type the runtime ran (the shim's name, e.g.
     * {@code bridge}), the caller's whole environment, and stdin, byte for byte.
     */
    record CniCall(String netns, String type, Map<String, String> env, byte[] stdin) implements Call {
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

    /** The shim's frame, written by Java (the shim is the writer in use; this one is for tests). */
    static void write(DataOutputStream out, CniCall c) throws IOException {
        out.writeInt(WIRE_V2);
        writeString(out, KIND_CNI);
        writeCniBody(out, c);
    }

    private static void writeCniBody(DataOutputStream out, CniCall c) throws IOException {
        writeString(out, c.netns());
        writeString(out, c.type());
        out.writeInt(c.env().size());
        for (Map.Entry<String, String> e : c.env().entrySet()) {
            writeString(out, e.getKey() + "=" + e.getValue());
        }
        out.writeInt(c.stdin().length);
        out.write(c.stdin());
        out.flush();
    }

    /** Reads one request within {@link DaemonFrameReader}'s limits. */
    static Call readCall(DataInputStream in) throws IOException {
        return DaemonFrameReader.read(in, new DaemonFrameReader.Hooks() {
        });
    }

    /** A version 3 request: what the shim ({@link CniCall}) sends. */
    static void writeV3(DataOutputStream out, Call call) throws IOException {
        writeVersioned(out, WIRE_V3, call);
    }

    /** A version 4 request: what the CLI sends (a streaming command's output comes as it is written). */
    static void writeV4(DataOutputStream out, Call call) throws IOException {
        writeVersioned(out, WIRE_V4, call);
    }

    private static void writeVersioned(DataOutputStream out, int version, Call call) throws IOException {
        out.writeInt(version);
        if (call instanceof CniCall c) {
            writeString(out, KIND_CNI);
            writeCniBody(out, c);
            return;
        }
        writeString(out, KIND_CLI);
        write(out, (Request) call);
    }

    static void write(DataOutputStream out, Reply r) throws IOException {
        out.writeInt(r.code());
        writeString(out, r.out());
        writeString(out, r.err());
        out.flush();
    }

    /** A reply of a version 1 or 2 request, or what follows {@link #REPLY} in version 3 (lengths checked as for requests). */
    static Reply readReply(DataInputStream in) throws IOException {
        return new Reply(in.readInt(), DaemonFrameReader.replyString(in), DaemonFrameReader.replyString(in));
    }

    /** A version 4 output frame: the byte {@link #OUTPUT}, the stream, the text. */
    static void writeOutput(DataOutputStream out, int stream, String text) throws IOException {
        out.write(OUTPUT);
        out.writeInt(stream);
        writeString(out, text);
        out.flush();
    }

    /** A version 3 reply: the byte {@link #REPLY}, then the reply. */
    static void writeV3(DataOutputStream out, Reply r) throws IOException {
        out.write(REPLY);
        write(out, r);
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }
}
