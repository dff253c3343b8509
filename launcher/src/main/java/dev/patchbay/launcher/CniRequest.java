package dev.patchbay.launcher;

import dev.patchbay.host.cni.CniHandler;
import dev.patchbay.host.cni.CniInvocation;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * How a CNI plugin call reaches the bundle that serves it, the one place that defines it.
 *
 * <p>A runtime runs {@code cni/<type>} (the shim), which forwards the call to the daemon or, with no daemon, execs
 * {@code bin/patchbay} with no arguments, which {@link Main} turns into the same call. Either way the launcher makes a
 * {@link CniInvocation} of it (the name the runtime ran, the call's own environment and stdin, never the daemon's) and
 * hands it to the {@link CniHandler} service that serves first ({@link CniHandlers}), with the call's own stdout and
 * stderr and whether its caller went away: the host API's package {@code dev.patchbay.host.cni}, which the system
 * bundle exports. No command line is built or parsed. The name matters because the shim is installed under the names
 * of the reference plugins: a configuration Patchbay does not serve goes to the next folder of {@code CNI_PATH} with
 * that name.
 *
 * <p>If the call fails and writes nothing to stdout (no started bundle serves CNI: exit 3 and why; a handler that
 * throws: exit 4), the reply's stdout becomes a CNI error result: {@code {"cniVersion":<the request's>,"code":100+exit
 * code,"msg":<first line of stderr>,"details":<stderr>}} (codes 100 and up are the plugin's own in the CNI spec; 101
 * failure, 102 usage, 103 environment, 104 internal), so a runtime always gets the JSON the spec asks for.
 */
final class CniRequest {
    /** Set by the shim when it execs the launcher: the plugin type it was called as. */
    static final String ENV_TYPE = "PATCHBAY_CNI_TYPE";
    /** Patchbay's CNI error codes are this plus its exit code. */
    static final int CODE_BASE = 100;
    /**
     * The longest network configuration a call may bring on stdin, with or without the daemon (the shim's
     * {@code MAX_CONFIG} is the same). Runtimes send a few KB; 1 MiB holds a conflist with some ten thousand port
     * mappings, and keeps what the daemon holds per call well inside its small heap.
     */
    static final int MAX_CONFIG = CniInvocation.MAX_STDIN;
    /** The CNI error code of a configuration past {@link #MAX_CONFIG}: invalid network configuration. */
    static final int CODE_TOO_LARGE = 7;

    private CniRequest() {
    }

    /**
     * Serves {@code call} with {@code handler} while {@code callerGone} is false (what the call runs in turn is stopped
     * once it turns true); the reply is what goes back to the runtime.
     */
    static DaemonSocket.Reply execute(DaemonSocket.CniCall call, CniHandler handler, BooleanSupplier callerGone) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintWriter o = new PrintWriter(out, true);
        PrintWriter e = new PrintWriter(err, true);
        int code;
        try {
            code = handler.serve(new CniInvocation(call.type(), call.env(), call.stdin()), o, e, callerGone);
        } catch (RuntimeException | LinkageError ex) { // a bundle's bug, or a bundle updated under the call
            e.println("patchbay: internal error: " + ex);
            code = 4;
        }
        o.flush();
        e.flush();
        return asCniReply(code, out.toString(), err.toString(), call.stdin());
    }

    /** The one line a configuration past the limit is answered with; the shim's {@code too_large} says the same. */
    static String tooLargeMessage() {
        return "the network configuration on stdin is larger than Patchbay's limit of " + MAX_CONFIG + " bytes (1 MiB)";
    }

    /**
     * The answer to a configuration past the limit (exit 2, CNI code {@value #CODE_TOO_LARGE}); {@code prefix} is what
     * was read of it (its {@code cniVersion}, if it comes early, is the answer's), or empty.
     */
    static DaemonSocket.Reply tooLarge(byte[] prefix) {
        String msg = tooLargeMessage();
        String json = "{\"cniVersion\":" + quote(cniVersion(prefix)) + ",\"code\":" + CODE_TOO_LARGE + ",\"msg\":" + quote(msg)
                + ",\"details\":\"\"}\n";
        return new DaemonSocket.Reply(2, json, "patchbay: " + msg + "\n");
    }

    /** A failure that wrote no result gets the CNI error JSON on stdout (see the class comment). */
    static DaemonSocket.Reply asCniReply(int code, String out, String err, byte[] stdin) {
        if (code == 0 || !out.isBlank()) {
            return new DaemonSocket.Reply(code, out, err);
        }
        String details = err.strip();
        int nl = details.indexOf('\n');
        String msg = nl < 0 ? details : details.substring(0, nl);
        if (msg.isEmpty()) {
            msg = "patchbay exited with code " + code;
        }
        String json = "{\"cniVersion\":" + quote(cniVersion(stdin)) + ",\"code\":" + (CODE_BASE + code)
                + ",\"msg\":" + quote(msg) + ",\"details\":" + quote(details) + "}\n";
        return new DaemonSocket.Reply(code, json, err);
    }

    /** The top-level {@code cniVersion} of the configuration, or 1.0.0 (only for error results: no full parse). */
    static String cniVersion(byte[] stdin) {
        String s = new String(stdin, StandardCharsets.UTF_8);
        int depth = 0;
        boolean key = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '{' || c == '[') {
                depth++;
                key = c == '{' && depth == 1;
            } else if (c == '}' || c == ']') {
                depth--;
            } else if (c == ',' && depth == 1) {
                key = true;
            } else if (c == '"') {
                int end = endOfString(s, i);
                if (end < 0) {
                    break;
                }
                if (key && depth == 1 && s.startsWith("\"cniVersion\"", i) && end == i + 11) {
                    int v = i + 12;
                    while (v < s.length() && (Character.isWhitespace(s.charAt(v)) || s.charAt(v) == ':')) {
                        v++;
                    }
                    int vEnd = v < s.length() && s.charAt(v) == '"' ? endOfString(s, v) : -1;
                    String value = vEnd < 0 ? "" : s.substring(v + 1, vEnd);
                    return value.matches("[0-9A-Za-z.+-]{1,32}") ? value : "1.0.0";
                }
                key = false;
                i = end;
            }
        }
        return "1.0.0";
    }

    /** The index of the quote closing the string opened at {@code start}, or -1. */
    private static int endOfString(String s, int start) {
        for (int i = start + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i;
            }
        }
        return -1;
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
