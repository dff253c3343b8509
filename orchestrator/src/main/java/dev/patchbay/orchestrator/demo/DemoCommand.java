package dev.patchbay.orchestrator.demo;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import dev.patchbay.orchestrator.network.NetworkManager;
import java.util.List;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code patchbay demo}: the tutorials' scenario in a sandbox of namespaces, checked by traffic, then removed. */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("demo")
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Build the tutorials' scenario in namespaces of its own, check it with real traffic, and remove it.",
            "The namespaces: a host with a bridge network, containers red and blue, an outside namespace on an uplink; the",
            "checks: real pings and HTTP; then it prints the topology and removes it all.",
            "Never touches the namespace it runs in."})
public final class DemoCommand implements PatchbayCommand {
    @Reference
    NetworkManager manager;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CliContext cli = CliContext.of(spec);
        List<String> failed = new Demo(manager, cli.out()).run();
        cli.out().println(failed.isEmpty() ? "demo: every check passed" : "demo: " + failed.size() + " check(s) failed");
        cli.out().flush();
        return failed.isEmpty() ? 0 : 1;
    }
}
