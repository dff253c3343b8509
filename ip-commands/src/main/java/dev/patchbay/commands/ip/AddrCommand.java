package dev.patchbay.commands.ip;

import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import dev.patchbay.host.output.TextTable;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.spi.AddressOps;
import dev.patchbay.core.spi.NetnsHandle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ServiceScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code patchbay addr ...}: interface addresses the {@code ip addr} way. */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("addr")
@Command(name = "addr", mixinStandardHelpOptions = true, description = "Add, replace, delete and list addresses (like `ip addr`).",
        subcommands = {AddrCommand.Add.class, AddrCommand.Replace.class, AddrCommand.Del.class, AddrCommand.Show.class})
public final class AddrCommand extends IpCommand<AddrCommand.AddrView, String> {

    /** An address as printed. */
    record AddrView(int ifindex, String ifname, String family, String local, int prefixlen) {
    }

    /** The addresses of the namespace, or of link {@code name}. */
    @Override
    List<AddrView> list(NetnsHandle h, String name) {
        List<AddrView> views = new ArrayList<>();
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
        return views;
    }

    @Override
    String text(List<AddrView> views) {
        TextTable t = new TextTable("INDEX", "DEV", "FAMILY", "ADDRESS");
        views.forEach(v -> t.row(v.ifindex(), v.ifname(), v.family(), v.local() + "/" + v.prefixlen()));
        return t.toString();
    }

    /** {@code PREFIX dev NAME}, shared by add, replace and del. */
    abstract static class Edit extends IpCommand.Change {
        /** What a verb does with the address. */
        interface Op {
            void apply(AddressOps ops, LinkRef link, IpPrefix prefix);
        }

        private final Op op;
        @Parameters(arity = "3", paramLabel = "ARGS", description = "PREFIX dev NAME, e.g. 10.0.0.1/24 dev eth0")
        List<String> args;

        Edit(Op op) {
            this.op = op;
        }

        @Override
        Consumer<NetnsHandle> parse(Cli.Words w) {
            IpPrefix prefix = IpPrefix.parse(w.command() + " address", w.next());
            String dev = w.next();
            if (!"dev".equals(dev)) {
                throw new InvalidInputException(w.command() + " dev", dev, "expected: PREFIX dev NAME");
            }
            LinkRef link = LinkRef.name(w.next());
            return h -> op.apply(h.addresses(), link, prefix);
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = {"Add an address to a link.", "patchbay addr add PREFIX dev NAME"})
    static final class Add extends Edit {
        Add() {
            super(AddressOps::add);
        }
    }

    @Command(name = "replace", mixinStandardHelpOptions = true, description = {"Add an address to a link, or change the one it has.", "patchbay addr replace PREFIX dev NAME"})
    static final class Replace extends Edit {
        Replace() {
            super(AddressOps::replace);
        }
    }

    @Command(name = "del", aliases = "delete", mixinStandardHelpOptions = true, description = {"Remove an address from a link.", "patchbay addr del PREFIX dev NAME"})
    static final class Del extends Edit {
        Del() {
            super(AddressOps::delete);
        }
    }

    @Command(name = "show", aliases = {"list", "ls"}, mixinStandardHelpOptions = true, description = {"List the addresses of every link, or of one.", "patchbay addr show [dev NAME]"})
    static final class Show extends IpCommand.Show<AddrCommand, String> {
        @Parameters(arity = "0..2", paramLabel = "NAME", description = "Only this link's addresses (`dev NAME` works too).")
        List<String> args;

        @Override
        String parse(Cli.Words w) {
            return w.more() ? w.name("NAME") : null;
        }
    }
}
