package dev.patchbay.services;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import dev.patchbay.core.errors.UnavailableException;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.firewall.host.FirewallManager;
import dev.patchbay.host.output.TextTable;
import dev.patchbay.orchestrator.network.DryRun;
import dev.patchbay.orchestrator.network.NetworkManager;
import java.util.List;
import java.util.concurrent.Callable;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.annotations.ServiceScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code patchbay service create|ls|inspect|rm|backend}: a virtual IP spread over containers of one network. */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("service")
@Command(name = "service", mixinStandardHelpOptions = true,
        description = "Virtual services: a VIP of a network (and an IPv6 one on a dual-stack network) whose port is spread over"
                + " containers attached to it (round-robin or random, optionally keeping each client on its backend), reached from the"
                + " network's containers (a backend too), from the host, and from outside when published; with no backend, refused at once.",
        subcommands = {ServiceCommand.Create.class, ServiceCommand.Ls.class, ServiceCommand.Inspect.class, ServiceCommand.Rm.class,
                ServiceCommand.Backend.class})
public final class ServiceCommand implements PatchbayCommand {
    @Reference
    NetworkManager manager;

    @Reference
    FirewallManager firewall;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile Ipam ipam;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "a subcommand is required: create, ls, inspect, rm or backend");
    }

    /** Runs {@code change} on this command's services, or, with {@code dryRun}, prints what it would run and changes nothing. */
    int change(CliContext cli, boolean dryRun, java.util.function.Function<Services, ServiceRecord> change,
               java.util.function.Function<ServiceRecord, Object> json, java.util.function.Function<ServiceRecord, String> text) {
        if (dryRun) {
            services(cli); // an IPAM is needed either way: the same error first
            return DryRun.print(cli, manager, (dry, dir) -> change.apply(new Services(dry, dry.firewallManager(), dry.ipam(), dir, cli.netns())));
        }
        ServiceRecord r = change.apply(services(cli));
        cli.print(json.apply(r), () -> text.apply(r));
        return 0;
    }

    Services services(CliContext cli) {
        Ipam i = ipam;
        if (i == null) {
            throw new UnavailableException("no IPAM service is installed (a bundle registering " + Ipam.class.getName() + ")");
        }
        return new Services(manager, firewall, i, cli.stateDir(), cli.netns());
    }

    static String text(ServiceRecord r) {
        return r.name() + "  network " + r.network() + "  " + r.vip() + (r.vip6() == null ? "" : " [" + r.vip6() + "]") + ":" + r.port()
                + "/" + r.protocol() + "  " + r.balance() + (r.affinity() > 0 ? "  affinity " + r.affinity() + "s" : "")
                + (ServiceRecord.TCP.equals(r.health()) ? "  health tcp" : "")
                + (r.publish().isEmpty() ? "" : "  published on " + String.join(", ", r.publish()))
                + "\n  backends: " + (r.backends().isEmpty() ? "none (connections are refused)"
                : String.join(", ", r.backends().stream().map(b -> b.netns() + " " + b.address() + ":" + b.port() + (b.down() ? " (down)" : "")).toList()));
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a service: its VIP (from the network's IPAM unless"
            + " --vip), its rules, its backends.")
    static final class Create implements Callable<Integer> {
        @ParentCommand ServiceCommand parent;
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "NAME", description = "The service's name.") String name;
        @Option(names = "--network", required = true, paramLabel = "NET", description = "The network of the VIP and of the backends.") String network;
        @Option(names = "--vip", paramLabel = "ADDR", description = "The VIP, IPv4 or IPv6 (repeatable: one of each family; default: the"
                + " next free address of the network's range of that family).") List<String> vip = List.of();
        @Option(names = "--port", required = true, paramLabel = "PORT/PROTO", description = "e.g. 80/tcp.") String port;
        @Option(names = "--backend", paramLabel = "NETNS[:PORT]", description = "A container attached to NET (repeatable; PORT: the"
                + " service's by default).") List<String> backends = List.of();
        @Option(names = "--balance", paramLabel = "MODE", description = "round-robin (default) or random.") String balance;
        @Option(names = "--health", paramLabel = "CHECK", description = "tcp: the daemon connects to each backend every second; "
                + "two failures in a row take it out, two answers put it back. none (default): no check.") String health;
        @Option(names = "--affinity", paramLabel = "SECONDS", description = "Client-IP affinity: each client's new connections go to"
                + " the backend it was given until SECONDS pass without one (a change of the backends starts afresh). Default: none.")
        Integer affinity;
        @Option(names = "--publish", paramLabel = "[IP:]HOSTPORT", description = "Reach the service from outside the host (and from the"
                + " host) at HOSTPORT of every host address, or of IP only (IPv6 in brackets); repeatable; removed with the service.")
        List<String> publish = List.of();
        @Option(names = "--dry-run", description = DryRun.HELP) boolean dryRun;

        @Override
        public Integer call() {
            return parent.change(CliContext.of(spec), dryRun, s -> s.create(name, network, vip, port, backends, balance, health, affinity, publish), r -> r,
                    ServiceCommand::text);
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List the services.")
    static final class Ls implements Callable<Integer> {
        @ParentCommand ServiceCommand parent;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            CliContext cli = CliContext.of(spec);
            List<ServiceRecord> all = parent.services(cli).list();
            cli.print(all, () -> {
                TextTable t = new TextTable("NAME", "NETWORK", "VIP", "PORT", "BALANCE", "BACKENDS");
                all.forEach(r -> t.row(r.name(), r.network(), r.vip(), r.port() + "/" + r.protocol(), r.balance(), r.backends().size()));
                return t.toString();
            });
            return 0;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, description = "One service, its backends with their addresses.")
    static final class Inspect implements Callable<Integer> {
        @ParentCommand ServiceCommand parent;
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "NAME", description = "The service's name.") String name;

        @Override
        public Integer call() {
            CliContext cli = CliContext.of(spec);
            ServiceRecord r = parent.services(cli).inspect(name);
            cli.print(r, () -> text(r));
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove a service: its rules, its VIP and its reservation.")
    static final class Rm implements Callable<Integer> {
        @ParentCommand ServiceCommand parent;
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "NAME", description = "The service's name.") String name;
        @Option(names = "--dry-run", description = DryRun.HELP) boolean dryRun;

        @Override
        public Integer call() {
            return parent.change(CliContext.of(spec), dryRun, s -> s.remove(name), r -> java.util.Map.of("removed", r.name()),
                    r -> "removed service " + r.name());
        }
    }

    @Command(name = "backend", mixinStandardHelpOptions = true, description = "Add or remove one backend of a service.",
            subcommands = {BackendAdd.class, BackendRm.class})
    static final class Backend implements Callable<Integer> {
        @ParentCommand ServiceCommand parent;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            throw new ParameterException(spec.commandLine(), "a subcommand is required: add or rm");
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add NETNS[:PORT], a container attached to the service's network.")
    static final class BackendAdd implements Callable<Integer> {
        @ParentCommand Backend parent;
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "NAME", description = "The service's name.") String name;
        @Parameters(index = "1", paramLabel = "NETNS[:PORT]", description = "A container of the service's network, by its namespace name (PORT: the service's by default).") String backend;

        @Option(names = "--dry-run", description = DryRun.HELP) boolean dryRun;

        @Override
        public Integer call() {
            return parent.parent.change(CliContext.of(spec), dryRun, s -> s.backend(name, backend, true), r -> r, ServiceCommand::text);
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove NETNS[:PORT] from the service.")
    static final class BackendRm implements Callable<Integer> {
        @ParentCommand Backend parent;
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "NAME", description = "The service's name.") String name;
        @Parameters(index = "1", paramLabel = "NETNS[:PORT]", description = "A container of the service's network, by its namespace name (PORT: the service's by default).") String backend;

        @Option(names = "--dry-run", description = DryRun.HELP) boolean dryRun;

        @Override
        public Integer call() {
            return parent.parent.change(CliContext.of(spec), dryRun, s -> s.backend(name, backend, false), r -> r, ServiceCommand::text);
        }
    }
}
