package dev.patchbay.orchestrator.plugins;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import dev.patchbay.core.command.TextTable;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code patchbay plugins ls}: every bundle, what it provides, and why something of it does not work. */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("plugins")
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = "The loaded bundles: what each provides (network plugins, firewall backends, IPAM, commands) and what keeps it from working.",
        subcommands = PluginsCommand.Ls.class)
public final class PluginsCommand implements PatchbayCommand {

    private final BundleContext context;
    private final ServiceComponentRuntime scr;

    @Spec
    CommandSpec spec;

    @Activate
    public PluginsCommand(BundleContext context, @Reference ServiceComponentRuntime scr) {
        this.context = context;
        this.scr = scr;
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
            CliContext cli = CliContext.of(spec);
            List<PluginReport.Entry> entries = PluginReport.read(parent.context, parent.scr);
            cli.print(entries, () -> {
                TextTable t = new TextTable("BUNDLE", "VERSION", "STATE", "PROVIDES", "PROBLEMS");
                for (PluginReport.Entry e : entries) {
                    t.row(e.symbolicName(), e.version(), e.state(),
                            e.provides().isEmpty() ? null : e.provides().stream().map(p -> p.kind() + " " + p.name()).collect(Collectors.joining(", ")),
                            e.problems().isEmpty() ? null : String.join("; ", e.problems()));
                }
                return t.toString();
            });
            return 0;
        }
    }
}
