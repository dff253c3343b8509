package dev.patchbay.launcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code patchbay man}: manual pages of the commands the bundles provide, made from the same model as --help. */
@Command(name = "man", mixinStandardHelpOptions = true,
        description = {"Print the manual page of a command, or write the pages of every command to a folder.",
            "The pages are made from the commands the installed bundles provide, as --help is: a bundle dropped into bundles/",
            "has its pages too. Read one with: patchbay man network create | man -l -"})
final class ManCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Write every command's page to DIR (made if missing) as patchbay-COMMAND.8, one file per command, and list them.")
    Path dir;

    @Parameters(paramLabel = "COMMAND", arity = "0..*",
            description = "The command whose page to print, as typed after patchbay (network create); none: patchbay's own.")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        CommandLine root = spec.root().commandLine();
        PrintWriter out = spec.commandLine().getOut();
        String version = new VersionProvider().getVersion()[0];
        if (dir != null) {
            if (!command.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "give --dir or a COMMAND, not both");
            }
            Files.createDirectories(dir);
            for (CommandSpec c : tree(root.getCommandSpec(), new ArrayList<>())) {
                ManPage page = new ManPage(c);
                Files.writeString(dir.resolve(page.fileName()), page.render(version), StandardCharsets.UTF_8);
                out.println(dir.resolve(page.fileName()));
            }
            out.flush();
            return 0;
        }
        CommandLine at = root;
        for (String word : command) {
            CommandLine next = at.getSubcommands().get(word);
            if (next == null) {
                throw new ParameterException(spec.commandLine(), "no command '" + String.join(" ", command) + "': "
                        + at.getCommandSpec().qualifiedName() + " has " + String.join(", ", at.getSubcommands().keySet()));
            }
            at = next;
        }
        out.print(new ManPage(at.getCommandSpec()).render(version));
        out.flush();
        return 0;
    }

    /** Every command of the tree under {@code spec}, itself first; hidden ones left out. */
    static List<CommandSpec> tree(CommandSpec spec, List<CommandSpec> into) {
        into.add(spec);
        for (CommandLine sub : spec.subcommands().values()) {
            if (!sub.getCommandSpec().usageMessage().hidden() && !into.contains(sub.getCommandSpec())) {
                tree(sub.getCommandSpec(), into);
            }
        }
        return into;
    }
}
