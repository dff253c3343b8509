package dev.patchbay.launcher;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.osgi.framework.BundleContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code patchbay plugins ls}: every bundle, what it provides, and why something of it does not work. The launcher's
 * own view of the framework it runs, like {@code version}: no bundle needs to work for it to answer.
 */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = "The loaded bundles: what each provides (network plugins, firewall backends, IPAM, commands) and what keeps it from working.",
        subcommands = PluginsCommand.Ls.class)
final class PluginsCommand implements Callable<Integer> {
    private final BundleContext ctx;

    @Spec
    CommandSpec spec;

    PluginsCommand(BundleContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "a subcommand is required: ls");
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = {
            "List every bundle with its version and state, what it provides (KIND NAME: network-plugin, firewall-backend, ipam, command) "
                    + "and its problems: a service a component needs that no bundle provides, a component that failed to activate, "
                    + "a package (or a version of it) the framework does not have, a jar of the bundles folder that is not installed.",
            "The state is the framework's: ACTIVE works; INSTALLED could not be resolved (see its problems); RESOLVED is not started."})
    static final class Ls implements Callable<Integer> {
        @ParentCommand
        PluginsCommand parent;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            List<PluginReport.Entry> entries = parent.ctx == null ? List.of() : PluginReport.read(parent.ctx);
            boolean json = "json".equals(spec.root().findOption("--output").getValue());
            PrintWriter out = spec.commandLine().getOut();
            out.println(json ? json(entries) : text(entries));
            out.flush();
            return 0;
        }
    }

    static String text(List<PluginReport.Entry> entries) {
        StringBuilder t = new StringBuilder();
        List<String[]> rows = new java.util.ArrayList<>();
        rows.add(new String[] {"BUNDLE", "VERSION", "STATE", "PROVIDES", "PROBLEMS"});
        for (PluginReport.Entry e : entries) {
            rows.add(new String[] {dash(e.symbolicName()), dash(e.version()), e.state(),
                e.provides().isEmpty() ? "-" : e.provides().stream().map(p -> p.kind() + " " + p.name()).collect(Collectors.joining(", ")),
                e.problems().isEmpty() ? "-" : String.join("; ", e.problems())});
        }
        int[] width = new int[5];
        rows.forEach(r -> {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        });
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                t.append(r[i]).append(i < r.length - 1 ? " ".repeat(width[i] - r[i].length() + 2) : "\n");
            }
        }
        return t.substring(0, t.length() - 1);
    }

    private static String dash(String s) {
        return s == null ? "-" : s;
    }

    /** The entries as one JSON array, laid out as the bundles' commands print theirs (two-space indent, nulls kept). */
    static String json(List<PluginReport.Entry> entries) {
        StringBuilder s = new StringBuilder();
        array(s, "", entries, (e, in) -> {
            s.append("{\n");
            s.append(in).append("  \"symbolicName\": ").append(e.symbolicName() == null ? "null" : VersionCommand.quote(e.symbolicName())).append(",\n");
            s.append(in).append("  \"version\": ").append(e.version() == null ? "null" : VersionCommand.quote(e.version())).append(",\n");
            s.append(in).append("  \"state\": ").append(VersionCommand.quote(e.state())).append(",\n");
            s.append(in).append("  \"provides\": ");
            array(s, in + "  ", e.provides(), (p, in2) -> s.append("{\n").append(in2).append("  \"kind\": ").append(VersionCommand.quote(p.kind()))
                    .append(",\n").append(in2).append("  \"name\": ").append(VersionCommand.quote(p.name())).append('\n').append(in2).append('}'));
            s.append(",\n").append(in).append("  \"problems\": ");
            array(s, in + "  ", e.problems(), (p, in2) -> s.append(VersionCommand.quote(p)));
            s.append('\n').append(in).append('}');
        });
        return s.toString();
    }

    private static <T> void array(StringBuilder s, String indent, List<T> items, java.util.function.BiConsumer<T, String> item) {
        if (items.isEmpty()) {
            s.append("[]");
            return;
        }
        s.append("[\n");
        for (int i = 0; i < items.size(); i++) {
            s.append(indent).append("  ");
            item.accept(items.get(i), indent + "  ");
            s.append(i < items.size() - 1 ? ",\n" : "\n");
        }
        s.append(indent).append(']');
    }
}
