package dev.patchbay.launcher;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code patchbay} root. It owns the global options; bundles read them through
 * {@code dev.patchbay.core.command.CliContext}. Every subcommand comes from a bundle.
 */
@Command(name = "patchbay", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        usageHelpAutoWidth = true, sortOptions = false,
        description = "Container networking: namespaces, links, bridges, firewall rules and IP addresses.%n"
                + "Commands are contributed by the bundles in the bundles/ folder.",
        footerHeading = "%nExit codes:%n",
        footer = {"  0  ok", "  1  failure", "  2  usage: bad option, argument or input",
                "  3  environment: missing privilege (CAP_NET_ADMIN), bundle, service or usable backend",
                "  4  internal error (a bug: run again with -x and report the trace)"})
public final class RootCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS", scope = ScopeType.INHERIT,
            description = "Act inside this network namespace: a name under /run/netns, a path, or pid:N "
                    + "(default: the namespace patchbay runs in).")
    String namespace;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", scope = ScopeType.INHERIT, defaultValue = "text",
            description = "Output format: text or json (default: ${DEFAULT-VALUE}).", converter = OutputConverter.class)
    String output;

    @Option(names = "--state-dir", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "State directory (default: $PATCHBAY_STATE_DIR or /var/lib/patchbay).")
    String stateDir;

    @Option(names = {"-x", "--stacktrace"}, scope = ScopeType.INHERIT,
            description = "Print the full stack trace of an error.")
    boolean stacktrace;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT, description = "Print framework diagnostics on stderr.")
    boolean verbose;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is required; see 'patchbay --help'");
    }

    /** Accepts {@code text} and {@code json}, case-insensitively. */
    static final class OutputConverter implements picocli.CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String v = value.toLowerCase(java.util.Locale.ROOT);
            if (!v.equals("text") && !v.equals("json")) {
                throw new picocli.CommandLine.TypeConversionException("invalid output format '" + value + "': expected text or json");
            }
            return v;
        }
    }
}
