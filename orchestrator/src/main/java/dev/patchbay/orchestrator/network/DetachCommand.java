package dev.patchbay.orchestrator.network;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code patchbay detach NETWORK --netns NS}: idempotent; what is already gone is skipped. */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("detach")
@Command(name = "detach", mixinStandardHelpOptions = true,
        description = "Detach a container from a network: its link, addresses and published ports go. Safe to repeat.")
public class DetachCommand implements PatchbayCommand {
    @Reference
    NetworkManager manager;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NETWORK", description = "The network to detach the container from.")
    String network;

    @Mixin
    ContainerOptions container = new ContainerOptions();

    @picocli.CommandLine.Option(names = "--dry-run", description = DryRun.HELP)
    boolean dryRun;

    @Override
    public Integer call() {
        CliContext cli = CliContext.of(spec);
        String id = container.containerId();
        if (dryRun) {
            return DryRun.print(cli, manager, (m, dir) -> m.attachments(dir).detach(cli.netns(), network, id));
        }
        Attachments atts = manager.attachments(cli.stateDir());
        boolean attached = atts.find(network, id).isPresent();
        atts.detach(cli.netns(), network, id); // also when not recorded: undoes what a half-done attach may have left
        Map<String, String> out = new java.util.LinkedHashMap<>(); // the fields in this order, every run
        out.put("network", network);
        out.put(attached ? "detached" : "notAttached", id);
        cli.print(out,
                () -> attached ? "detached \"" + id + "\" from network \"" + network + "\""
                        : "\"" + id + "\" is not attached to network \"" + network + "\"; nothing to do");
        return 0;
    }
}
