package dev.patchbay.orchestrator.network;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.network.Attachment;
import java.util.List;
import java.util.concurrent.Callable;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code patchbay publish|unpublish NETWORK --netns NS PORTS...} on an existing attachment. */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("publish")
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = "Publish more ports of an attached container: [HOSTIP:]HOSTPORT[-END]:CTRPORT[-END][/PROTO].")
public final class PublishCommand implements PatchbayCommand {
    @Reference
    NetworkManager manager;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NETWORK", description = "The network the container is attached to.")
    String network;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "PORT", description = "[HOSTIP:]HOSTPORT[-END]:CTRPORT[-END][/tcp|udp|sctp] (the protocol defaults to tcp).")
    List<String> ports;

    @Mixin
    ContainerOptions container = new ContainerOptions();

    @picocli.CommandLine.Option(names = "--dry-run", description = DryRun.HELP)
    boolean dryRun;

    @Override
    public Integer call() {
        return change(manager, spec, network, container, ports, true, dryRun);
    }

    static int change(NetworkManager manager, CommandSpec spec, String network, ContainerOptions container, List<String> ports, boolean add,
            boolean dryRun) {
        CliContext cli = CliContext.of(spec);
        List<PortMapping> mappings = ports.stream().map(PortMapping::parse).toList();
        if (dryRun) {
            return DryRun.print(cli, manager, (m, dir) -> m.attachments(dir).publish(cli.netns(), network, container.containerId(), mappings, add));
        }
        Attachment a = manager.attachments(cli.stateDir()).publish(cli.netns(), network, container.containerId(), mappings, add);
        cli.print(a, () -> "\"" + a.containerId() + "\" publishes " + (a.ports().isEmpty() ? "nothing" : a.ports().toString()));
        return 0;
    }

    /** {@code patchbay unpublish}. */
    @Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
    @PatchbayCommandName("unpublish")
    @Command(name = "unpublish", mixinStandardHelpOptions = true, description = "Stop publishing ports of an attached container.")
    public static final class Unpublish implements PatchbayCommand, Callable<Integer> {
        @Reference
        NetworkManager manager;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NETWORK", description = "The network the container is attached to.")
        String network;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "PORT", description = "[HOSTIP:]HOSTPORT[-END]:CTRPORT[-END][/tcp|udp|sctp] (the protocol defaults to tcp).")
        List<String> ports;

        @Mixin
        ContainerOptions container = new ContainerOptions();

        @picocli.CommandLine.Option(names = "--dry-run", description = DryRun.HELP)
        boolean dryRun;

        @Override
        public Integer call() {
            return change(manager, spec, network, container, ports, false, dryRun);
        }
    }
}
