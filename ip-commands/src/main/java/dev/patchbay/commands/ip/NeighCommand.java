package dev.patchbay.commands.ip;

import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import dev.patchbay.host.output.TextTable;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.model.Neighbour;
import dev.patchbay.core.spi.NeighbourOps;
import dev.patchbay.core.spi.NetnsHandle;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ServiceScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code patchbay neigh ...}: neighbour (ARP/NDP) entries the {@code ip neigh} way. */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("neigh")
@Command(name = "neigh", mixinStandardHelpOptions = true, description = "Add, replace, delete and list neighbour entries (like `ip neigh`).",
        subcommands = {NeighCommand.Add.class, NeighCommand.Replace.class, NeighCommand.Del.class, NeighCommand.Show.class})
public final class NeighCommand extends IpCommand<NeighCommand.NeighView, Void> {
    static final String USAGE = "ADDRESS lladdr MAC dev NAME [nud permanent|reachable]";

    /** A neighbour as printed (keys follow {@code ip -j neigh}). */
    record NeighView(String dst, String dev, String lladdr, String state) {
    }

    @Override
    List<NeighView> list(NetnsHandle h, Void all) {
        List<NeighView> views = new ArrayList<>();
        h.neighbours().list(null).forEach(n -> views.add(new NeighView(IpAddresses.format(n.address()), n.device().value(),
                n.mac() == null ? null : n.mac().value(), n.permanent() ? "PERMANENT" : "DYNAMIC")));
        return views;
    }

    @Override
    String text(List<NeighView> views) {
        TextTable t = new TextTable("ADDRESS", "DEV", "LLADDR", "STATE");
        views.forEach(v -> t.row(v.dst(), v.dev(), v.lladdr(), v.state()));
        return t.toString();
    }

    static Neighbour parse(Cli.Words w) {
        String cmd = w.command();
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
        return new Neighbour(address, mac, dev, permanent);
    }

    /** {@code USAGE}, shared by add, replace and del. */
    abstract static class Edit extends IpCommand.Apply<NeighbourOps, Neighbour> {
        @Parameters(arity = "1..*", paramLabel = "ARGS", description = USAGE)
        List<String> args;

        Edit(BiConsumer<NeighbourOps, Neighbour> op) {
            super(NetnsHandle::neighbours, NeighCommand::parse, op);
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = {"Add a neighbour entry: the MAC of an address on a link.", "patchbay neigh add " + USAGE})
    static final class Add extends Edit {
        Add() {
            super(NeighbourOps::add);
        }
    }

    @Command(name = "replace", mixinStandardHelpOptions = true, description = {"Add a neighbour entry, or change the one there is.", "patchbay neigh replace " + USAGE})
    static final class Replace extends Edit {
        Replace() {
            super(NeighbourOps::replace);
        }
    }

    @Command(name = "del", aliases = "delete", mixinStandardHelpOptions = true, description = {"Delete a neighbour entry.", "patchbay neigh del ADDRESS dev NAME"})
    static final class Del extends Edit {
        Del() {
            super((ops, n) -> ops.delete(n.device(), n.address()));
        }
    }

    @Command(name = "show", aliases = {"list", "ls"}, mixinStandardHelpOptions = true, description = {"List the neighbour entries.", "patchbay neigh show"})
    static final class Show extends IpCommand.Show<NeighCommand, Void> {
    }
}
