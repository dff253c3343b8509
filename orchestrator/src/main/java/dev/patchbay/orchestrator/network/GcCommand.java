package dev.patchbay.orchestrator.network;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code patchbay gc}: recover from crashes and free what nothing holds. */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("gc")
@Command(name = "gc", mixinStandardHelpOptions = true,
        description = {"Finish or undo operations a crash interrupted; make again what the kernel lost of each network (bridge, "
                + "gateway, rules, containers' links: after a reboot, or someone deleting them); detach containers whose namespace is "
                + "gone; forget networks whose host namespace is gone; free unused addresses.",
                "Damaged state files are reported; --repair rebuilds them from the kernel and the other records."})
public final class GcCommand implements PatchbayCommand {
    @Reference
    NetworkManager manager;

    @Spec
    CommandSpec spec;

    @Option(names = "--repair", description = "Rebuild damaged state files (a network's record, its attachment log, the firewall "
            + "record) from the kernel and the other records; the damaged files are kept beside them.")
    boolean repair;

    @Option(names = "--dry-run", description = DryRun.HELP)
    boolean dryRun;

    @Override
    public Integer call() {
        CliContext cli = CliContext.of(spec);
        if (dryRun) {
            return DryRun.print(cli, manager, (m, dir) -> m.recovery(dir).run(cli.netns(), repair));
        }
        Recovery.Report r = manager.recovery(cli.stateDir()).run(cli.netns(), repair);
        cli.print(r, () -> "recovered " + r.recovered().size() + " interrupted operation(s)" + (r.recovered().isEmpty() ? "" : " " + r.recovered())
                + ", detached " + r.detached().size() + (r.detached().isEmpty() ? "" : " " + r.detached())
                + ", freed " + r.released().size() + " address(es)" + (r.released().isEmpty() ? "" : " " + r.released())
                + (r.repaired().isEmpty() ? "" : "\nrepaired:\n  " + String.join("\n  ", r.repaired()))
                + (r.removed().isEmpty() ? "" : "\nremoved " + r.removed().size() + " network(s) whose host namespace is gone:\n  "
                        + String.join("\n  ", r.removed()))
                + (r.kept().isEmpty() ? "" : "\nkept:\n  " + String.join("\n  ", r.kept()))
                + (r.damaged().isEmpty() ? "" : "\ndamaged (run patchbay gc --repair):\n  " + String.join("\n  ", r.damaged()))
                + (r.errors().isEmpty() ? "" : "\nerrors:\n  " + String.join("\n  ", r.errors())));
        return r.errors().isEmpty() ? 0 : 1;
    }
}
