package dev.patchbay.core.command;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonPrimitive;
import com.google.gson.JsonSerializer;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.PortMapping;
import java.io.PrintWriter;
import java.net.InetAddress;
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

    private static final JsonSerializer<Object> TEXT = (value, type, context) ->
            new JsonPrimitive(value instanceof InetAddress a ? IpAddresses.format(a) : value.toString());
    private static final Gson JSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().setPrettyPrinting()
            .registerTypeHierarchyAdapter(InetAddress.class, TEXT).registerTypeAdapter(IpPrefix.class, TEXT)
            .registerTypeAdapter(IfName.class, TEXT).registerTypeAdapter(MacAddress.class, TEXT)
            .registerTypeAdapter(PortMapping.class, TEXT).create();

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
            out.println(JSON.toJson(data));
        } else {
            String s = text.get();
            if (!s.isEmpty()) {
                out.println(s.endsWith("\n") ? s.substring(0, s.length() - 1) : s);
            }
        }
        out.flush();
    }

    /**
     * The JSON encoder of output, indented: model values as their text forms ({@code "10.0.0.0/24"}, {@code "eth0"},
     * {@code "8080:80/tcp"}), records as objects, nulls kept. For writing only.
     */
    public static Gson gson() {
        return JSON;
    }
}
