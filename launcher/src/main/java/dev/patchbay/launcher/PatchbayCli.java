package dev.patchbay.launcher;

import dev.patchbay.host.plugins.Providers;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceObjects;
import org.osgi.framework.ServiceReference;
import picocli.CommandLine;

/**
 * Builds the {@code patchbay} command line from the command services bundles registered, with the
 * whole error policy in one place: one line on stderr, the trace only with {@code -x}, and the exit
 * code an exception declares through a public {@code int exitCode()} method (the core's exceptions
 * do; the launcher needs no compile-time type of theirs).
 */
public final class PatchbayCli {
    /** Service property naming a contributed command (see the core's PatchbayCommandName). */
    public static final String COMMAND_PROPERTY = "patchbay.command.name";

    private final CommandLine root;
    private final List<Runnable> releases = new ArrayList<>();

    private PatchbayCli(CommandLine root) {
        this.root = root;
    }

    public static PatchbayCli create(BundleContext ctx, PrintWriter out, PrintWriter err) {
        return create(ctx, out, err, null);
    }

    /**
     * With {@code only} set, mounts just that command (the one about to run): its siblings cost
     * nothing. {@code null} mounts every command (for help and suggestions).
     */
    public static PatchbayCli create(BundleContext ctx, PrintWriter out, PrintWriter err, String only) {
        CommandLine root = new CommandLine(new RootCommand());
        PatchbayCli cli = new PatchbayCli(root);
        boolean tree = "man".equals(only) || "completion".equals(only); // they describe every command
        if (only == null || tree || only.equals("daemon")) {
            root.addSubcommand("daemon", new CommandLine(new DaemonCommand()));
        }
        if (only == null || tree) {
            root.addSubcommand("man", new CommandLine(new ManCommand()));
            root.addSubcommand("completion", new CommandLine(new CompletionCommand()));
        }
        if (only == null || tree || only.equals("metrics")) {
            root.addSubcommand("metrics", new CommandLine(new MetricsCommand()));
        }
        if (only == null || tree || only.equals("plugins")) {
            root.addSubcommand("plugins", new CommandLine(new PluginsCommand(ctx)));
        }
        if (only == null || tree || only.equals("version")) {
            root.addSubcommand("version", new CommandLine(new VersionCommand(ctx)));
        }
        if (ctx != null) {
            cli.mountCommands(ctx, tree ? null : only);
        }
        // after mounting: picocli hands these down only to subcommands that exist
        root.setOut(out);
        root.setErr(err);
        root.setExecutionExceptionHandler(PatchbayCli::onException);
        root.setParameterExceptionHandler(PatchbayCli::onUsageError);
        root.setCaseInsensitiveEnumValuesAllowed(true);
        return cli;
    }

    /**
     * Builds a throwaway root command line on a daemon thread: picocli's classes (about 170, loaded, verified and
     * initialised: 40-50 ms of a cold run) are then ready when the real one is built, after the framework started.
     */
    static void warmUp() {
        Thread t = new Thread(() -> {
            try {
                PrintWriter none = new PrintWriter(java.io.Writer.nullWriter());
                create(null, none, none, "").commandLine().parseArgs("--help");
            } catch (RuntimeException ignored) {
                // only a warm-up: the real command line reports its own problems
            }
        }, "patchbay-cli-warm-up");
        t.setDaemon(true);
        t.start();
    }

    public CommandLine commandLine() {
        return root;
    }

    /** Runs {@code args} once, then gives back the command services this command line holds. */
    public int execute(String... args) {
        try {
            return root.execute(args);
        } finally {
            release();
        }
    }

    /** Whether the command {@code word} is mounted (its service was there when this command line was built). */
    boolean mounts(String word) {
        return root.getSubcommands().containsKey(word);
    }

    /**
     * Runs {@code args} and keeps the command services, for a caller that reuses this command line (see
     * {@link Requests}): picocli resets every option and parameter to its initial value before each parse. Not
     * thread-safe: one request at a time.
     */
    int executeAgain(PrintWriter out, PrintWriter err, String... args) {
        root.setOut(out);
        root.setErr(err);
        return root.execute(args);
    }

    /**
     * The command the last {@link #executeAgain} ran, as the command tree names it ({@code network create}), null if
     * none: names picocli matched, never a word as typed.
     */
    String matched() {
        CommandLine.ParseResult pr = root.getParseResult();
        StringBuilder names = new StringBuilder();
        while (pr != null && pr.hasSubcommand()) {
            pr = pr.subcommand();
            names.append(names.length() == 0 ? "" : " ").append(pr.commandSpec().name());
        }
        return names.length() == 0 ? null : names.toString();
    }

    /** Gives back the command services; the command line must not run again. */
    void release() {
        releases.forEach(Runnable::run);
        releases.clear();
    }

    /** Mounts the bundles' commands; a name the launcher's own commands hold (plugins, version, ...) stays theirs. */
    private void mountCommands(BundleContext ctx, String only) {
        commands(ctx, only).forEach((name, ref) -> {
            if (!root.getSubcommands().containsKey(name)) {
                mount(ctx, name, ref);
            }
        });
    }

    /**
     * The command services by name ({@code only} that one, or every one for null); of two of one name, the one
     * {@link Providers#ORDER} puts first (plugins ls shows the clash).
     */
    static TreeMap<String, ServiceReference<?>> commands(BundleContext ctx, String only) {
        ServiceReference<?>[] refs;
        try {
            refs = ctx.getServiceReferences((String) null, "(" + COMMAND_PROPERTY + "=" + (only == null ? "*" : escape(only)) + ")");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        TreeMap<String, ServiceReference<?>> byName = new TreeMap<>();
        for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
            String name = String.valueOf(ref.getProperty(COMMAND_PROPERTY));
            ServiceReference<?> seen = byName.get(name);
            if (seen == null || Providers.ORDER.compare(ref, seen) < 0) {
                byName.put(name, ref);
            }
        }
        return byName;
    }

    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("*", "\\*").replace("(", "\\(").replace(")", "\\)"); // OSGi filter escapes
    }

    private <S> void mount(BundleContext ctx, String name, ServiceReference<S> ref) {
        ServiceObjects<S> objects = ctx.getServiceObjects(ref);
        S command = objects == null ? null : objects.getService();
        if (command == null) {
            return;
        }
        releases.add(() -> {
            try {
                objects.ungetService(command);
            } catch (RuntimeException ignored) {
                // the framework may already be stopping
            }
        });
        CommandLine sub = new CommandLine(command);
        root.addSubcommand(name, sub);
    }

    private static int onUsageError(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("patchbay: " + (unknownCommand(ex) ? "no command '" + ex.getCommandLine().getParseResult().unmatched().get(0)
                + "': no installed bundle provides it ('patchbay plugins ls' lists the bundles)" : ex.getMessage()));
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return CommandLine.ExitCode.USAGE;
    }

    /** A first word that names no command: the bundle that would serve it may be missing (or not yet resolved). */
    static boolean unknownCommand(CommandLine.ParameterException ex) {
        if (!(ex instanceof CommandLine.UnmatchedArgumentException) || ex.getCommandLine().getParent() != null) {
            return false;
        }
        CommandLine.ParseResult parsed = ex.getCommandLine().getParseResult();
        return parsed != null && parsed.subcommand() == null && !parsed.unmatched().isEmpty() && !parsed.unmatched().get(0).startsWith("-");
    }

    private static int onException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        boolean trace = Boolean.TRUE.equals(cmd.getCommandSpec().root().findOption("--stacktrace").getValue());
        int code = exitCodeOf(ex);
        String message = ex.getMessage() == null ? ex.getClass().getName() : ex.getMessage();
        err.println("patchbay: " + (code == 4 ? "internal error: " + ex.getClass().getName() + ": " : "") + message);
        if (trace) {
            ex.printStackTrace(err);
        } else if (code == 4) {
            err.println("(run again with -x for the stack trace)");
        }
        err.flush();
        return code;
    }

    /** The code an exception declares with a public {@code int exitCode()}; 4 (internal) otherwise. */
    static int exitCodeOf(Throwable ex) {
        try {
            Method m = ex.getClass().getMethod("exitCode");
            if (m.getReturnType() == int.class) {
                return (Integer) m.invoke(ex);
            }
        } catch (ReflectiveOperationException | RuntimeException ignored) {
            // not one of ours
        }
        return 4;
    }
}
