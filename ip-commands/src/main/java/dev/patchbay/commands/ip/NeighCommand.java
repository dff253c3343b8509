package dev.patchbay.commands.ip;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import dev.patchbay.core.command.TextTable;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.model.Neighbour;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code patchbay neigh ...}: neighbour (ARP/NDP) entries the {@code ip neigh} way. */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("neigh")
@Command(name = "neigh", mixinStandardHelpOptions = true, description = "Add, replace, delete and list neighbour entries (like `ip neigh`).",
        subcommands = {NeighCommand.Add.class, NeighCommand.Replace.class, NeighCommand.Del.class, NeighCommand.Show.class})
public final class NeighCommand implements PatchbayCommand {
    static final String USAGE = "ADDRESS lladdr MAC dev NAME [nud permanent|reachable]";

    @Reference
    NetworkStack stack;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return Show.print(stack, spec);
    }

    /** A neighbour as printed (keys follow {@code ip -j neigh}). */
    record NeighView(String dst, String dev, String lladdr, String state) {
    }

    abstract static class Change implements Callable<Integer> {
        @ParentCommand
        NeighCommand parent;
        @Spec
        CommandSpec spec;
        @Parameters(arity = "1..*", paramLabel = "ARGS", description = USAGE)
        List<String> args;

        abstract void apply(NetnsHandle h, InetAddress address, MacAddress mac, IfName dev, boolean permanent);

        @Override
        public Integer call() {
            String cmd = "neigh " + spec.name();
            Cli.Words w = new Cli.Words(cmd, args);
            InetAddress address = IpAddresses.parse(cmd + " address", w.next());
            MacAddress mac = null;
            IfName dev = null;
            boolean permanent = true;
            while (w.more()) {
                String k = w.next();
                switch (k) {
                    case "lladdr": mac = MacAddress.parse(w.value(k)); break;
                    case "dev": dev = IfName.of(w.value(k)); break;
                    case "nud": {
                        String v = w.value(k);
                        if (!v.equals("permanent") && !v.equals("reachable")) {
                            throw new InvalidInputException(cmd + " nud", v, "must be permanent or reachable");
                        }
                        permanent = v.equals("permanent");
                        break;
                    }
                    default: throw w.unknown(k);
                }
            }
            if (dev == null) {
                throw new InvalidInputException(cmd + " dev", "", "is required: " + USAGE);
            }
            if (mac == null && !cmd.endsWith("del")) {
                throw new InvalidInputException(cmd + " lladdr", "", "is required: " + USAGE);
            }
            try (NetnsHandle h = Cli.open(parent.stack, spec)) {
                apply(h, address, mac, dev, permanent);
            }
            return 0;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "patchbay neigh add " + USAGE)
    static final class Add extends Change {
        @Override
        void apply(NetnsHandle h, InetAddress address, MacAddress mac, IfName dev, boolean permanent) {
            h.neighbours().add(new Neighbour(address, mac, dev, permanent));
        }
    }

    @Command(name = "replace", mixinStandardHelpOptions = true, description = "patchbay neigh replace " + USAGE)
    static final class Replace extends Change {
        @Override
        void apply(NetnsHandle h, InetAddress address, MacAddress mac, IfName dev, boolean permanent) {
            h.neighbours().replace(new Neighbour(address, mac, dev, permanent));
        }
    }

    @Command(name = "del", aliases = "delete", mixinStandardHelpOptions = true, description = "patchbay neigh del ADDRESS dev NAME")
    static final class Del extends Change {
        @Override
        void apply(NetnsHandle h, InetAddress address, MacAddress mac, IfName dev, boolean permanent) {
            h.neighbours().delete(dev, address);
        }
    }

    @Command(name = "show", aliases = {"list", "ls"}, mixinStandardHelpOptions = true, description = "patchbay neigh show")
    static final class Show implements Callable<Integer> {
        @ParentCommand
        NeighCommand parent;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return print(parent.stack, spec);
        }

        static int print(NetworkStack stack, CommandSpec spec) {
            List<NeighView> views = new ArrayList<>();
            try (NetnsHandle h = Cli.open(stack, spec)) {
                h.neighbours().list(null).forEach(n -> views.add(new NeighView(IpAddresses.format(n.address()), n.device().value(),
                        n.mac() == null ? null : n.mac().value(), n.permanent() ? "PERMANENT" : "DYNAMIC")));
            }
            CliContext.of(spec).print(views, () -> {
                TextTable t = new TextTable("ADDRESS", "DEV", "LLADDR", "STATE");
                views.forEach(v -> t.row(v.dst(), v.dev(), v.lladdr(), v.state()));
                return t.toString();
            });
            return 0;
        }
    }
}
