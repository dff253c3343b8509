package dev.patchbay.orchestrator.network;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import dev.patchbay.host.output.TextTable;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.network.Attachment;
import java.util.List;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code patchbay ls [NETWORK]}: attachments. */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("ls")
@Command(name = "ls", mixinStandardHelpOptions = true, description = "List attachments (containers on networks).")
public final class LsCommand implements PatchbayCommand {
    @Reference
    NetworkManager manager;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NETWORK", description = "Only this network's attachments (default: every network's).")
    String network;

    @Override
    public Integer call() {
        CliContext cli = CliContext.of(spec);
        List<Attachment> all;
        if (network != null) {
            manager.networks(cli.stateDir()).find(network).orElseThrow(() -> NotFoundException.of("network", network, null));
            all = manager.attachments(cli.stateDir()).list(network);
        } else {
            all = manager.attachments(cli.stateDir()).listReadable(w -> cli.err().println("patchbay: warning: " + w));
            cli.err().flush();
        }
        cli.print(all, () -> {
            TextTable t = new TextTable("NETWORK", "CONTAINER", "IF", "ADDRESSES", "HOST-IF", "PUBLISHED");
            all.forEach(a -> t.row(a.network(), a.containerId(), a.ifName(), a.addresses(), a.hostIf(), a.ports().isEmpty() ? "-" : a.ports()));
            return t.toString();
        });
        return 0;
    }
}
