package dev.patchbay.orchestrator.network;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code patchbay gc}: recover from crashes and free what nothing holds. */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("gc")
@Command(name = "gc", mixinStandardHelpOptions = true,
        description = "Finish or undo operations a crash interrupted, detach containers whose namespace is gone, free unused addresses.")
public final class GcCommand implements PatchbayCommand {
    @Reference
    NetworkManager manager;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CliContext cli = CliContext.of(spec);
        Recovery.Report r = manager.recovery(cli.stateDir()).run(cli.netns());
        cli.print(r, () -> "recovered " + r.recovered().size() + " interrupted operation(s)" + (r.recovered().isEmpty() ? "" : " " + r.recovered())
                + ", detached " + r.detached().size() + (r.detached().isEmpty() ? "" : " " + r.detached())
                + ", freed " + r.released().size() + " address(es)" + (r.released().isEmpty() ? "" : " " + r.released())
                + (r.kept().isEmpty() ? "" : "\nkept " + r.kept().size() + " address(es) no attachment names:\n  " + String.join("\n  ", r.kept()))
                + (r.errors().isEmpty() ? "" : "\nerrors:\n  " + String.join("\n  ", r.errors())));
        return r.errors().isEmpty() ? 0 : 1;
    }
}
