package dev.patchbay.commands.ip;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import dev.patchbay.core.command.TextTable;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.spi.AddressOps;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code patchbay addr ...}: interface addresses the {@code ip addr} way. */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("addr")
@Command(name = "addr", mixinStandardHelpOptions = true, description = "Add, replace, delete and list addresses (like `ip addr`).",
        subcommands = {AddrCommand.Add.class, AddrCommand.Replace.class, AddrCommand.Del.class, AddrCommand.Show.class})
public final class AddrCommand implements PatchbayCommand {
    @Reference
    NetworkStack stack;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return Show.print(stack, spec, null);
    }

    /** An address as printed. */
    record AddrView(int ifindex, String ifname, String family, String local, int prefixlen) {
    }

    /** {@code PREFIX dev NAME}, shared by add, replace and del. */
    abstract static class Change implements Callable<Integer> {
        @ParentCommand
        AddrCommand parent;
        @Spec
        CommandSpec spec;
        @Parameters(arity = "3", paramLabel = "ARGS", description = "PREFIX dev NAME, e.g. 10.0.0.1/24 dev eth0")
        List<String> args;

        abstract void apply(AddressOps ops, LinkRef link, IpPrefix prefix);

        @Override
        public Integer call() {
            String cmd = "addr " + spec.name();
            Cli.Words w = new Cli.Words(cmd, args);
            IpPrefix prefix = IpPrefix.parse(cmd + " address", w.next());
            if (!"dev".equals(w.next())) {
                throw new InvalidInputException(cmd + " dev", args.get(1), "expected: PREFIX dev NAME");
            }
            LinkRef link = LinkRef.name(w.next());
            try (NetnsHandle h = Cli.open(parent.stack, spec)) {
                apply(h.addresses(), link, prefix);
            }
            return 0;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "patchbay addr add PREFIX dev NAME")
    static final class Add extends Change {
        @Override
        void apply(AddressOps ops, LinkRef link, IpPrefix prefix) {
            ops.add(link, prefix);
        }
    }

    @Command(name = "replace", mixinStandardHelpOptions = true, description = "patchbay addr replace PREFIX dev NAME")
    static final class Replace extends Change {
        @Override
        void apply(AddressOps ops, LinkRef link, IpPrefix prefix) {
            ops.replace(link, prefix);
        }
    }

    @Command(name = "del", aliases = "delete", mixinStandardHelpOptions = true, description = "patchbay addr del PREFIX dev NAME")
    static final class Del extends Change {
        @Override
        void apply(AddressOps ops, LinkRef link, IpPrefix prefix) {
            ops.delete(link, prefix);
        }
    }

    @Command(name = "show", aliases = {"list", "ls"}, mixinStandardHelpOptions = true, description = "patchbay addr show [dev NAME]")
    static final class Show implements Callable<Integer> {
        @ParentCommand
        AddrCommand parent;
        @Spec
        CommandSpec spec;
        @Parameters(arity = "0..2", paramLabel = "NAME")
        List<String> args;

        @Override
        public Integer call() {
            String name = args == null || args.isEmpty() ? null : new Cli.Words("addr show", args).name("NAME");
            return print(parent.stack, spec, name);
        }

        static int print(NetworkStack stack, CommandSpec spec, String name) {
            List<AddrView> views = new ArrayList<>();
            try (NetnsHandle h = Cli.open(stack, spec)) {
                Map<Integer, String> names = new HashMap<>();
                for (Link l : h.links().list()) {
                    names.put(l.index(), l.name().value());
                }
                Integer only = name == null ? null : h.links().get(LinkRef.name(name)).index();
                for (AddressOps.Assigned a : h.addresses().listAll(null)) {
                    if (only == null || only == a.linkIndex()) {
                        views.add(new AddrView(a.linkIndex(), names.get(a.linkIndex()), a.address().isV4() ? "inet" : "inet6",
                                IpAddresses.format(a.address().address()), a.address().length()));
                    }
                }
            }
            CliContext.of(spec).print(views, () -> {
                TextTable t = new TextTable("INDEX", "DEV", "FAMILY", "ADDRESS");
                views.forEach(v -> t.row(v.ifindex(), v.ifname(), v.family(), v.local() + "/" + v.prefixlen()));
                return t.toString();
            });
            return 0;
        }
    }
}
