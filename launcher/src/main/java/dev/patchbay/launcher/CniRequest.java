package dev.patchbay.launcher;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * How a CNI plugin call reaches the {@code cni} command, the one place that defines it.
 *
 * <p>A runtime runs {@code cni/<type>} (the shim), which forwards the call to the daemon, or, with no daemon, execs
 * {@code bin/patchbay} with no arguments, which {@link Main} turns into the same call. Either way the launcher runs
 * the command line {@code patchbay [--state-dir $PATCHBAY_STATE_DIR] cni} with the call's own stdout and stderr, and
 * the call itself (not the daemon's environment or stdin) available to the command, for the duration of the call,
 * through the root command's hidden option {@value #OPTION}. In the command's {@code call()}, with picocli's
 * {@code @Spec CommandSpec spec} injected:
 *
 * <pre>{@code
 *     Map<String, Object> cni = (Map<String, Object>) spec.root().findOption("--cni-request").getValue();
 *     String type = (String) cni.get("type");                        // the plugin type called: bridge, portmap, ...
 *     Map<String, String> env = (Map<String, String>) cni.get("env"); // CNI_COMMAND, CNI_NETNS, CNI_PATH, PATH, ...
 *     byte[] config = (byte[]) cni.get("stdin");                     // the network configuration, as sent
 * }</pre>
 *
 * The map is unmodifiable; {@code stdin} is the command's own copy. The value is {@code null} outside a CNI call (a
 * user typing {@code patchbay cni}), and on any thread but the one running the command: read it in {@code call()}.
 * It is request-scoped: the option's getter reads the thread's current call, so the daemon's reused command lines see
 * nothing of an earlier call, and the option cannot be set from a command line (a value given is ignored). When no
 * started bundle provides {@code cni}, the answer is exit code 3 and why (no suggestions of other commands). The type
 * matters because the shim is installed under the names of the reference plugins: a configuration Patchbay does not
 * serve goes to the next folder of {@code CNI_PATH} with that name.
 *
 * <p>If the command fails and writes nothing to stdout (e.g. no bundle provides {@code cni} yet), the reply's stdout
 * becomes a CNI error result: {@code {"cniVersion":<the request's>,"code":100+exit code,"msg":<first line of stderr>,
 * "details":<stderr>}} (codes 100 and up are the plugin's own in the CNI spec; 101 failure, 102 usage, 103
 * environment, 104 internal), so a runtime always gets the JSON the spec asks for.
 */
final class CniRequest {
    /** The root command's hidden option carrying the call. */
    static final String OPTION = "--cni-request";
    /** The command word a CNI call runs. */
    static final String COMMAND = "cni";
    /** Set by the shim when it execs the launcher: the plugin type it was called as. */
    static final String ENV_TYPE = "PATCHBAY_CNI_TYPE";
    /** Keys of the map. */
    static final String TYPE = "type";
    static final String ENV = "env";
    static final String STDIN = "stdin";
    /** Optional: a {@code BooleanSupplier} saying whether the caller went away (the daemon's client is gone). */
    static final String GONE = "gone";
    /** Patchbay's CNI error codes are this plus its exit code. */
    static final int CODE_BASE = 100;
    /**
     * The longest network configuration a call may bring on stdin, with or without the daemon (the shim's
     * {@code MAX_CONFIG} is the same). Runtimes send a few KB; 1 MiB holds a conflist with some ten thousand port
     * mappings, and keeps what the daemon holds per call well inside its small heap.
     */
    static final int MAX_CONFIG = 1 << 20;
    /** The CNI error code of a configuration past {@link #MAX_CONFIG}: invalid network configuration. */
    static final int CODE_TOO_LARGE = 7;

    private static final ThreadLocal<Map<String, Object>> CURRENT = new ThreadLocal<>();

    /** Runs one command line, e.g. {@link Requests#runCommand}. */
    interface Runner {
        int run(String[] args, PrintWriter out, PrintWriter err);
    }

    private CniRequest() {
    }

    /** The call {@link #execute} is running on this thread (type, env, stdin), or null. */
    static Map<String, Object> current() {
        return CURRENT.get();
    }

    /** Adds the hidden {@value #OPTION} to the root of a Patchbay command line. */
    static void addOption(CommandLine root) {
        root.getCommandSpec().addOption(OptionSpec.builder(OPTION)
                .hidden(true)
                .type(String.class)
                .hasInitialValue(false)
                .description("Set by the launcher for a CNI plugin call; see dev.patchbay.launcher.CniRequest.")
                .getter(new CommandLine.Model.IGetter() {
                    @Override
                    @SuppressWarnings("unchecked")
                    public <T> T get() {
                        Map<String, Object> call = CURRENT.get();
                        if (call == null) {
                            return null;
                        }
                        Map<String, Object> copy = new HashMap<>(call);
                        copy.put(STDIN, ((byte[]) call.get(STDIN)).clone());
                        return (T) java.util.Collections.unmodifiableMap(copy);
                    }
                })
                .setter(new CommandLine.Model.ISetter() {
                    @Override
                    public <T> T set(T value) {
                        return null; // only the launcher sets it, through CURRENT
                    }
                })
                .build());
    }

    /** Runs {@code call} as the {@code cni} command through {@code runner}; the reply is what goes back to the runtime. */
    static DaemonSocket.Reply execute(DaemonSocket.CniCall call, Runner runner) {
        return execute(call, runner, () -> false);
    }

    /** Runs the call while {@code callerGone} is false: what the call runs in turn is stopped once it turns true. */
    static DaemonSocket.Reply execute(DaemonSocket.CniCall call, Runner runner, java.util.function.BooleanSupplier callerGone) {
        String stateDir = call.env().get("PATCHBAY_STATE_DIR");
        String[] args = stateDir == null || stateDir.isEmpty() ? new String[] {COMMAND} : new String[] {"--state-dir", stateDir, COMMAND};
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintWriter o = new PrintWriter(out, true);
        PrintWriter e = new PrintWriter(err, true);
        Map<String, Object> request = Map.of(TYPE, call.type(), ENV, call.env(), STDIN, call.stdin(), GONE, callerGone);
        int code;
        CURRENT.set(request);
        try {
            code = runner.run(args, o, e);
        } catch (RuntimeException ex) {
            e.println("patchbay: internal error: " + ex);
            code = 4;
        } finally {
            CURRENT.remove();
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
