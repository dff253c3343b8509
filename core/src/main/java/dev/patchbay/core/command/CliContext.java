package dev.patchbay.core.command;

import com.google.gson.Gson;
import dev.patchbay.core.model.NetnsRef;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The global options every command sees, from the launcher's root command: {@code -n/--netns}, {@code -o/--output},
 * {@code --state-dir}. A command gets it with {@code CliContext.of(spec)} from an injected {@code @Spec CommandSpec spec}.
 */
public record CliContext(NetnsRef netns, OutputFormat format, Path stateDir, PrintWriter out, PrintWriter err) {

    public static final String NETNS = "--namespace";
    public static final String OUTPUT = "--output";
    public static final String STATE_DIR = "--state-dir";
    public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/patchbay");
    public static final String STATE_DIR_ENV = "PATCHBAY_STATE_DIR";

    public static CliContext of(CommandSpec spec) {
        CommandSpec root = spec.root();
        String netns = stringOption(root, NETNS);
        String output = stringOption(root, OUTPUT);
        String stateDir = stringOption(root, STATE_DIR);
        if (stateDir == null || stateDir.isEmpty()) {
            String env = System.getenv(STATE_DIR_ENV);
            stateDir = env == null || env.isEmpty() ? DEFAULT_STATE_DIR.toString() : env;
        }
        OutputFormat format = output == null ? OutputFormat.TEXT : OutputFormat.valueOf(output.toUpperCase(Locale.ROOT));
        return new CliContext(NetnsRef.parse(netns), format, Path.of(stateDir),
                spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    private static String stringOption(CommandSpec root, String name) {
        OptionSpec option = root.findOption(name);
        Object value = option == null ? null : option.getValue();
        return value == null ? null : value.toString();
    }

    public boolean json() {
        return format == OutputFormat.JSON;
    }

    /** Prints {@code data} as JSON, or the text {@code text} supplies, followed by a flush. */
    public void print(Object data, Supplier<String> text) {
        if (json()) {
            out.println(Json.pretty().toJson(data));
        } else {
            String s = text.get();
            if (!s.isEmpty()) {
                out.println(s.endsWith("\n") ? s.substring(0, s.length() - 1) : s);
            }
        }
        out.flush();
    }

    /** The shared JSON encoder for output, see {@link Json}. */
    public static Gson gson() {
        return Json.pretty();
    }
}
