package dev.patchbay.launcher;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;

/**
 * {@code patchbay}: boots Felix with the bundles next to the launcher, runs one command, stops.
 * The home folder (holding {@code bundles/}) comes from {@code -Dpatchbay.home}, set by
 * {@code bin/patchbay}, or else from where this jar lies. With no arguments and {@code CNI_COMMAND} set it is a CNI
 * plugin (the shim's cold path, see {@link CniRequest}).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        Stamps.mark("main");
        int code;
        try {
            code = run(args);
        } catch (Throwable t) {
            System.err.println("patchbay: " + t.getMessage());
            code = 3;
        }
        Stamps.report(System.err);
        System.exit(code); // Felix leaves non-daemon threads behind: always exit explicitly
    }

    static int run(String[] args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8), true);
        if (args.length == 0 && System.getenv("CNI_COMMAND") != null) {
            return cni(out, err);
        }
        String refusal = RootOnly.refusal(args); // before any daemon or framework: a non-root user learns why at once
        if (refusal != null) {
            err.println(refusal);
            return 3;
        }
        Settings settings;
        try {
            settings = Settings.init(System.getenv());
        } catch (Settings.SettingsException e) {
            err.println("patchbay: " + e.getMessage());
            return 2;
        }
        boolean daemon = "daemon".equals(Args.commandWord(args)) && !Args.has(args, "-h", "--help");
        return daemon ? daemon(args, settings) : command(args, settings, out, err);
    }

    /** {@code patchbay daemon}: its log, {@code --idle} and the metrics endpoint checked, then the framework served. */
    private static int daemon(String[] args, Settings settings) {
        boolean verbose = Args.has(args, "-v", "--verbose");
        // every line of its stderr, whoever writes it, with a time and a level (journald's priority)
        DaemonLog.threshold(settings.get(Setting.LOG_LEVEL));
        PrintWriter err = new PrintWriter(new OutputStreamWriter(DaemonLog.install(), StandardCharsets.UTF_8), true);
        String value = Args.value(args, "--idle");
        if (value != null && !value.matches("[0-9]{1,6}") && !value.equals(DaemonIdle.CONFIGURED)) {
            err.println("patchbay: daemon --idle " + value + ": seconds, 0 to 999999 (0: never leave), or " + DaemonIdle.CONFIGURED);
            return 2;
        }
        long idle = value == null ? 0 : value.equals(DaemonIdle.CONFIGURED) ? settings.number(Setting.DAEMON_IDLE) : Long.parseLong(value);
        MetricsEndpoint metricsAt;
        try {
            metricsAt = MetricsEndpoint.parse(MetricsEndpoint.setting(), DaemonSocket.path());
        } catch (IllegalArgumentException e) {
            err.println("patchbay: daemon: " + e.getMessage());
            return 2;
        }
        try (FelixBoot boot = FelixBoot.start(bundlesDir(), err, verbose, daemonProperties(args))) {
            warnProblems(boot, err);
            return new DaemonServer(boot.context(), boot::close, idle, metricsAt, value == null).serve(err);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the daemon socket: " + e.getMessage(), e);
        }
    }

    /** Any other command: through the daemon when one serves this namespace, else in a framework of its own. */
    private static int command(String[] args, Settings settings, PrintWriter out, PrintWriter err) {
        if (args.length > 0) { // the file's state folder, as --state-dir (the environment's the CLI reads itself)
            args = DaemonClient.withEnvironment(args, settings.given(Setting.STATE_DIR));
        }
        boolean verbose = Args.has(args, "-v", "--verbose");
        var reply = DaemonClient.forward(args);
        if (reply.isPresent()) {
            out.print(reply.get().out());
            out.flush();
            err.print(reply.get().err());
            err.flush();
            return reply.get().code();
        }
        PatchbayCli.warmUp(); // while the framework starts
        try (FelixBoot boot = FelixBoot.start(bundlesDir(), err, verbose, java.util.Map.of())) {
            warnProblems(boot, err);
            int code = inProcess(boot.context(), args, out, err);
            boot.discard(); // the command is done and the process exits next: no orderly stop
            return code;
        }
    }

    private static void warnProblems(FelixBoot boot, PrintWriter err) {
        for (String problem : boot.problems()) {
            err.println("patchbay: warning: " + problem);
        }
    }

    private static int inProcess(org.osgi.framework.BundleContext ctx, String[] args, PrintWriter out, PrintWriter err) {
        String word = Args.commandWord(args);
        PatchbayCli cli = PatchbayCli.create(ctx, out, err, word);
        if (word != null && !cli.commandLine().getSubcommands().containsKey(word)) {
            cli.release();
            cli = PatchbayCli.create(ctx, out, err, null); // unknown: mount all for the suggestions
        }
        int code = cli.execute(args);
        if (code == 2 && args.length > 0) {
            MissingCommands.explain(ctx, args, err);
        }
        return code;
    }

    /**
     * A CNI plugin call with no daemon: the shim exec'd us (or a runtime runs bin/patchbay as a plugin). Hands the CNI
     * handler service in process this process's environment and stdin as the call (see {@link CniRequest}).
     * It never forwards: the shim found no daemon it trusts, and only the shim checks who serves a socket.
     */
    private static int cni(PrintWriter out, PrintWriter err) {
        byte[] stdin;
        try {
            stdin = System.in.readNBytes(CniRequest.MAX_CONFIG + 1); // the limit, as through the daemon: never more
        } catch (IOException e) {
            stdin = new byte[0];
        }
        if (stdin.length > CniRequest.MAX_CONFIG) {
            DaemonSocket.Reply tooLarge = CniRequest.tooLarge(stdin);
            out.print(tooLarge.out());
            out.flush();
            err.print(tooLarge.err());
            err.flush();
            return tooLarge.code();
        }
        java.util.Map<String, String> env = System.getenv();
        try {
            Settings.init(env);
        } catch (Settings.SettingsException e) {
            DaemonSocket.Reply refused = CniRequest.asCniReply(2, "", "patchbay: " + e.getMessage() + "\n", stdin);
            out.print(refused.out());
            out.flush();
            err.print(refused.err());
            err.flush();
            return refused.code();
        }
        String type = env.get(CniRequest.ENV_TYPE);
        DaemonSocket.CniCall call = new DaemonSocket.CniCall(DaemonSocket.currentNetns(), type == null || type.isEmpty() ? "patchbay" : type, env, stdin);
        DaemonSocket.Reply reply;
        Stamps.mark("call");
        try (FelixBoot boot = FelixBoot.start(bundlesDir(), err, false, java.util.Map.of())) {
            for (String problem : boot.problems()) {
                err.println("patchbay: warning: " + problem);
            }
            try (CniHandlers handlers = new CniHandlers(boot.context())) {
                reply = handlers.serve(call, () -> false); // no picocli: the handler service takes the call itself
            }
            Stamps.mark("cni");
            boot.discard(); // the call is made and the process exits next: no orderly stop
        } catch (RuntimeException e) {
            reply = CniRequest.asCniReply(3, "", "patchbay: " + e.getMessage() + "\n", stdin);
        }
        out.print(reply.out());
        out.flush();
        err.print(reply.err());
        err.flush();
        return reply.code();
    }

    /**
     * What the daemon's components read as framework properties: that they run in a daemon, its state directory
     * ({@code --state-dir}, else the settings'), whether it watches the bundles folder. The settings bundles may see
     * change are system properties ({@link Settings}), not these.
     */
    static java.util.Map<String, String> daemonProperties(String[] args) {
        Settings settings = Settings.current();
        java.util.Map<String, String> p = new java.util.HashMap<>();
        p.put("patchbay.daemon", "true");
        String stateDir = settings.get(Setting.STATE_DIR);
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--state-dir") && i + 1 < args.length) {
                stateDir = args[i + 1];
            } else if (args[i].startsWith("--state-dir=")) {
                stateDir = args[i].substring("--state-dir=".length());
            }
        }
        p.put("patchbay.state.dir", stateDir);
        p.put(HotDeploy.ENABLED, settings.get(Setting.HOT_DEPLOY));
        return p;
    }

    static Path home() {
        String prop = System.getProperty("patchbay.home");
        if (prop != null && !prop.isEmpty()) {
            return Path.of(prop);
        }
        try {
            Path jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.getParent().getParent();
        } catch (Exception e) {
            return Path.of(".");
        }
    }

    static Path bundlesDir() {
        String prop = System.getProperty("patchbay.bundles");
        String configured = Settings.current().get(Setting.BUNDLES_DIR);
        return prop != null && !prop.isEmpty() ? Path.of(prop) : !configured.isEmpty() ? Path.of(configured) : home().resolve("bundles");
    }
}
