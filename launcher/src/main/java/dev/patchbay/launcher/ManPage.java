package dev.patchbay.launcher;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * A manual page in roff ({@code man 7 man}) for one command of the tree the bundles mounted: name and summary,
 * synopsis, description, arguments, options, subcommands and, for the root, the exit codes. Written from the same
 * model as {@code --help}, so the two never disagree.
 */
final class ManPage {
    private final CommandSpec spec;

    ManPage(CommandSpec spec) {
        this.spec = spec;
    }

    /** The page's file name: {@code patchbay-network-create.8}; section 8, a command for the administrator. */
    String fileName() {
        return spec.qualifiedName("-") + ".8";
    }

    /** The one-line summary: the first line of the description ({@code header} when a command gives one). */
    static String summary(CommandSpec spec) {
        String[] header = spec.usageMessage().header();
        String[] description = spec.usageMessage().description();
        String first = header.length > 0 ? header[0] : description.length > 0 ? description[0] : "";
        return CommandLine.Help.Ansi.OFF.string(first).strip();
    }

    String render(String version) {
        StringBuilder s = new StringBuilder();
        s.append(".TH \"").append(spec.qualifiedName("-").toUpperCase(java.util.Locale.ROOT)).append("\" 8 \"\" \"")
                .append(escape(version)).append("\" \"Patchbay\"\n");
        s.append(".SH NAME\n").append(escape(spec.qualifiedName("-"))).append(" \\- ").append(escape(summary(spec))).append('\n');
        s.append(".SH SYNOPSIS\n.nf\n").append(escape(synopsis())).append("\n.fi\n");
        String[] description = spec.usageMessage().description();
        if (description.length > 0) {
            s.append(".SH DESCRIPTION\n");
            for (String line : description) {
                s.append(escape(plain(line))).append('\n');
            }
        }
        List<PositionalParamSpec> params = spec.positionalParameters().stream().filter(p -> !p.hidden()).toList();
        if (!params.isEmpty()) {
            s.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec p : params) {
                item(s, p.paramLabel(), p);
            }
        }
        List<OptionSpec> options = spec.options().stream().filter(o -> !o.hidden()).toList();
        if (!options.isEmpty()) {
            s.append(".SH OPTIONS\n");
            for (OptionSpec o : options) {
                item(s, String.join(", ", o.names()) + (o.typeInfo().isBoolean() ? "" : " " + o.paramLabel()), o);
            }
        }
        Map<String, CommandLine> subs = spec.subcommands();
        if (!subs.isEmpty()) {
            s.append(".SH COMMANDS\n");
            subs.forEach((name, sub) -> {
                if (!sub.getCommandSpec().usageMessage().hidden()) {
                    s.append(".TP\n.B ").append(escape(name)).append('\n').append(escape(summary(sub.getCommandSpec()))).append('\n');
                }
            });
        }
        String[] footer = spec.usageMessage().footer();
        if (spec.parent() == null && footer.length > 0) {
            s.append(".SH EXIT STATUS\n.nf\n");
            for (String line : footer) {
                s.append(escape(plain(line))).append('\n');
            }
            s.append(".fi\n");
        }
        s.append(".SH SEE ALSO\n");
        List<String> see = new ArrayList<>();
        if (spec.parent() != null) {
            see.add(spec.parent().qualifiedName("-") + "(8)");
        }
        subs.keySet().forEach(name -> see.add(spec.qualifiedName("-") + "-" + name + "(8)"));
        see.add("ip(8)");
        s.append(escape(String.join(", ", see))).append('\n');
        return s.toString();
    }

    private String synopsis() {
        return plain(spec.commandLine().getHelp().synopsis(0)).strip();
    }

    private static void item(StringBuilder s, String label, ArgSpec arg) {
        s.append(".TP\n.B ").append(escape(label)).append('\n');
        for (String line : arg.description()) {
            s.append(escape(plain(line.replace("${DEFAULT-VALUE}", String.valueOf(arg.defaultValue()))))).append('\n');
        }
    }

    /** Help text without picocli's markup: {@code %n} is a line break in both. */
    private static String plain(String text) {
        return CommandLine.Help.Ansi.OFF.string(text).replace("%n", "\n");
    }

    /** roff: a backslash is an escape, and a line starting with a dot or a quote is a request. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder();
        for (String line : text.replace("\\", "\\e").replace("-", "\\-").split("\n", -1)) {
            if (out.length() > 0) {
                out.append('\n');
            }
            out.append(line.startsWith(".") || line.startsWith("'") ? "\\&" + line : line);
        }
        return out.toString();
    }
}
