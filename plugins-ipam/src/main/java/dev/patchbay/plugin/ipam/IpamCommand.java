package dev.patchbay.plugin.ipam;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import dev.patchbay.host.output.TextTable;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.ipam.AllocationRecord;
import dev.patchbay.core.ipam.Attachment;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.spi.NetworkStack;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ServiceScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code patchbay ipam ls|release|gc}: the host-local data directory, {@code <state dir>/ipam} unless --data-dir. */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("ipam")
@Command(name = "ipam", mixinStandardHelpOptions = true,
        description = "List, release and garbage-collect IP address allocations (host-local layout).",
        subcommands = {IpamCommand.Ls.class, IpamCommand.Release.class, IpamCommand.Gc.class})
public final class IpamCommand implements PatchbayCommand {

    @Reference(target = "(" + Ipam.TYPE_PROPERTY + "=host-local)")
    Ipam ipam;

    /** The kernel, for gc's evidence; without it gc goes by the records alone and says so. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL)
    NetworkStack stack;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "a subcommand is required: ls, release or gc");
    }

    /** {@code --data-dir}, mixed into every subcommand. */
    static final class DataDir {
        @Option(names = "--data-dir", paramLabel = "DIR",
                description = "IPAM data directory, e.g. an existing CNI host-local one (default: <state dir>/ipam).")
        Path dir;

        Path resolve(CliContext cli) {
            return dir != null ? dir : Ipam.dataDir(cli.stateDir());
        }
    }

    /** One network's allocations as printed. */
    public record NetworkAllocations(String network, String dataDir, List<Entry> allocations) {
    }

    /**
     * One allocation as printed; owner and ifName are null when the record does not say; {@code problem} says why a
     * record cannot be read (then it is kept: never handed out nor freed by gc), {@code kept} why gc kept it.
     */
    public record Entry(String address, String owner, String ifName, String problem, String kept) {
        static Entry of(AllocationRecord r) {
            return new Entry(IpAddresses.format(r.address()), r.ownerId(), r.ifName(), r.problem(), null);
        }

        static Entry kept(AllocationRecord r) {
            return new Entry(IpAddresses.format(r.address()), r.ownerId(), r.ifName(), r.problem(),
                    r.readable() ? "an interface holds the address" : "its record cannot be read");
        }

        /** One line for an unreadable record, saying what is wrong and what an operator can do. */
        String damage(String network) {
            return "network \"" + network + "\": the reservation of " + address + " cannot be read (the record " + problem
                    + "); it stays reserved. Once no interface holds " + address + ", free it with: patchbay ipam release "
                    + network + " --address " + address;
        }
    }

    /** What release and gc print; {@code kept} (gc only) are the reservations no valid attachment holds that stay. */
    public record Freed(String network, List<String> released, List<Entry> kept, String note) {
        static Freed of(String network, List<InetAddress> freed) {
            return new Freed(network, freed.stream().map(IpAddresses::format).toList(), List.of(), null);
        }

        static Freed of(String network, Ipam.GcResult gc, String note) {
            return new Freed(network, gc.freed().stream().map(IpAddresses::format).toList(),
                    gc.kept().stream().map(Entry::kept).toList(), note);
        }

        String text() {
            return released.isEmpty() ? "nothing to release on network \"" + network + "\""
                    : "released on network \"" + network + "\": " + String.join(", ", released);
        }

        String keptText() {
            StringBuilder sb = new StringBuilder();
            kept.forEach(e -> sb.append('\n').append(e.problem() != null ? e.damage(network)
                    : "kept " + e.address() + " (" + (e.owner() == null ? "" : e.owner() + (e.ifName() == null ? "" : "/"
                    + e.ifName()) + ", ") + "no valid attachment): an interface holds the address"));
            return (note == null ? "" : "\n" + note) + sb;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List the allocations of every network, or of the given ones.")
    static final class Ls implements Callable<Integer> {
        @ParentCommand IpamCommand parent;
        @Spec CommandSpec spec;
        @Mixin DataDir dataDir;
        @Parameters(arity = "0..*", paramLabel = "NETWORK", description = "Networks to list (default: all).") List<String> networks;

        @Override
        public Integer call() {
            CliContext cli = CliContext.of(spec);
            Path dir = dataDir.resolve(cli);
            List<String> names = networks == null || networks.isEmpty() ? parent.ipam.networks(dir) : networks;
            List<NetworkAllocations> out = new ArrayList<>();
            for (String n : names) {
                out.add(new NetworkAllocations(n, dir.resolve(n).toString(),
                        parent.ipam.list(dir, n).stream().map(Entry::of).toList()));
            }
            cli.print(out, () -> {
                TextTable t = new TextTable("NETWORK", "ADDRESS", "OWNER", "IFNAME");
                StringBuilder damage = new StringBuilder();
                out.forEach(n -> n.allocations().forEach(e -> {
                    t.row(n.network(), e.address(), e.problem() == null ? e.owner() : "(unreadable)", e.ifName());
                    if (e.problem() != null) {
                        damage.append('\n').append(e.damage(n.network()));
                    }
                }));
                return t + damage.toString();
            });
            return 0;
        }
    }

    @Command(name = "release", mixinStandardHelpOptions = true,
            description = "Release the addresses of one owner's interface (no error if it holds none), or one address.")
    static final class Release implements Callable<Integer> {
        @ParentCommand IpamCommand parent;
        @Spec CommandSpec spec;
        @Mixin DataDir dataDir;
        @Parameters(index = "0", paramLabel = "NETWORK", description = "The network whose allocations to act on.") String network;
        @Option(names = "--owner", paramLabel = "ID", description = "Owner (container) id.") String owner;
        @Option(names = "--ifname", paramLabel = "IF", defaultValue = "eth0", description = "Interface (default: ${DEFAULT-VALUE}).") String ifName;
        @Option(names = "--address", paramLabel = "IP", description = "Release this address whoever holds it.") String address;

        @Override
        public Integer call() {
            CliContext cli = CliContext.of(spec);
            Path dir = dataDir.resolve(cli);
            if ((owner == null) == (address == null)) {
                throw new InvalidInputException("release", owner == null ? "" : owner + " " + address,
                        "give either --owner (with --ifname) or --address");
            }
            List<InetAddress> freed;
            if (owner != null) {
                freed = parent.ipam.release(dir, network, owner, IfName.of(ifName));
            } else {
                InetAddress ip = IpAddresses.parse("address", address);
                boolean done = parent.ipam instanceof HostLocalIpam h && h.releaseAddress(dir, network, ip);
                freed = done ? List.of(ip) : List.of();
            }
            Freed f = Freed.of(network, freed);
            cli.print(f, f::text);
            return 0;
        }
    }

    @Command(name = "gc", mixinStandardHelpOptions = true,
            description = "Release every address whose owner/interface is not listed as valid (CNI GC). Kept, and said so: "
                    + "unreadable records, and addresses an interface holds (in this namespace or a named one).")
    static final class Gc implements Callable<Integer> {
        @ParentCommand IpamCommand parent;
        @Spec CommandSpec spec;
        @Mixin DataDir dataDir;
        @Parameters(index = "0", paramLabel = "NETWORK", description = "The network whose allocations to act on.") String network;
        @Option(names = "--valid", paramLabel = "OWNER/IF", description = "A live attachment to keep (repeatable).") List<String> valid;
        @Option(names = "--none-valid", description = "No attachment is live: release everything readable.") boolean noneValid;
        @Option(names = "--dry-run", description = "Only print what would be released.") boolean dryRun;

        @Override
        public Integer call() {
            CliContext cli = CliContext.of(spec);
            Path dir = dataDir.resolve(cli);
            boolean none = valid == null || valid.isEmpty();
            if (none != noneValid) {
                throw new InvalidInputException("valid", none ? "" : String.join(",", valid),
                        "give at least one --valid OWNER/IF, or --none-valid to release every readable record (not both)");
            }
            Set<Attachment> keep = new LinkedHashSet<>();
            if (!none) {
                valid.forEach(v -> keep.add(Attachment.parse(v)));
            }
            Predicate<InetAddress> live = parent.stack == null ? a -> false : Evidence.live(parent.stack, cli.netns());
            String note = parent.stack == null ? "no network stack is installed, so no interface was checked: judged by the records alone" : null;
            Ipam.GcResult gc = !dryRun ? parent.ipam.gc(dir, network, keep, live)
                    : parent.ipam instanceof HostLocalIpam h ? h.gc(dir, network, keep, live, true)
                    : new Ipam.GcResult(List.of(), List.of()); // no other implementation is bound here (target filter)
            Freed f = Freed.of(network, gc, note);
            cli.print(f, () -> (!dryRun ? f.text() : f.released().isEmpty() ? "nothing would be released on network \""
                    + network + "\"" : "would release on network \"" + network + "\": " + String.join(", ", f.released()))
                    + f.keptText());
            return 0;
        }
    }
}
