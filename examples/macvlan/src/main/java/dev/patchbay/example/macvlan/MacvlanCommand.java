package dev.patchbay.example.macvlan;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import dev.patchbay.host.output.TextTable;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code patchbay [-n NS] macvlan ls}: the interfaces a macvlan network can hang off, and the macvlans on each. */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("macvlan")
@Command(name = "macvlan", mixinStandardHelpOptions = true, description = "The macvlan driver's view of a host namespace.",
        subcommands = MacvlanCommand.Ls.class)
public final class MacvlanCommand implements PatchbayCommand {

    @Reference
    NetworkStack stack;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "a subcommand is required: ls");
    }

    /** One interface that can be a parent ({@code --opt parent=NAME}), and the macvlan links on it in the same namespace. */
    public record Parent(String name, String kind, boolean up, boolean carrier, int mtu, List<String> macvlans) {
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = {
            "List the interfaces of the namespace (-n, default: this one) that can be a macvlan network's parent "
                    + "(network create --driver macvlan --opt parent=NAME): every link but loopback and macvlans, with its state, "
                    + "its MTU (the macvlans' at most) and the macvlan links on it in that namespace.",
            "A container's own macvlan is in its namespace, on a parent in another: it is not listed."})
    static final class Ls implements Callable<Integer> {
        @ParentCommand
        MacvlanCommand parent;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            CliContext cli = CliContext.of(spec);
            List<Parent> parents = new ArrayList<>();
            try (NetnsHandle host = parent.stack.open(cli.netns())) {
                List<Link> links = host.links().list();
                for (Link l : links) {
                    if (l.name().value().equals("lo") || MacvlanDriver.TYPE.equals(l.kind()) || "macvtap".equals(l.kind())) {
                        continue;
                    }
                    List<String> on = new ArrayList<>();
                    for (Link m : links) {
                        if (MacvlanDriver.TYPE.equals(m.kind()) && m.peerNetnsId() == null && Integer.valueOf(l.index()).equals(m.peerIndex())) {
                            on.add(m.name().value());
                        }
                    }
                    parents.add(new Parent(l.name().value(), l.kind(), l.up(), l.lowerUp(), l.mtu(), on));
                }
            }
            cli.print(parents, () -> {
                TextTable t = new TextTable("PARENT", "KIND", "STATE", "MTU", "MACVLANS");
                for (Parent p : parents) {
                    t.row(p.name(), p.kind(), !p.up() ? "down" : p.carrier() ? "up" : "up, no carrier", p.mtu(),
                            p.macvlans().isEmpty() ? null : String.join(",", p.macvlans()));
                }
                return t.toString();
            });
            return 0;
        }
    }
}
