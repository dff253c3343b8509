package dev.patchbay.launcher;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code patchbay completion}: a bash completion script for the commands the installed bundles provide. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print a bash completion script for every command and option the installed bundles provide.",
            "Load it in the current shell with: source <(patchbay completion)",
            "or install it for everyone: patchbay completion > /usr/share/bash-completion/completions/patchbay"})
final class CompletionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(AutoComplete.bash("patchbay", spec.root().commandLine()));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
