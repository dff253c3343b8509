package dev.patchbay.plugin.ipam;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import dev.patchbay.core.command.TextTable;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.ipam.AllocationRecord;
import dev.patchbay.core.ipam.Attachment;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
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

    /** One allocation as printed; owner and ifName are null when the record does not say. */
    public record Entry(String address, String owner, String ifName) {
        static Entry of(AllocationRecord r) {
            return new Entry(IpAddresses.format(r.address()), r.ownerId(), r.ifName());
        }
    }

    /** What release and gc print. */
    public record Freed(String network, List<String> released) {
        static Freed of(String network, List<InetAddress> freed) {
            return new Freed(network, freed.stream().map(IpAddresses::format).toList());
        }

        String text() {
            return released.isEmpty() ? "nothing to release on network \"" + network + "\""
                    : "released on network \"" + network + "\": " + String.join(", ", released);
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
                out.forEach(n -> n.allocations().forEach(e -> t.row(n.network(), e.address(), e.owner(), e.ifName())));
                return t.toString();
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
        @Parameters(index = "0", paramLabel = "NETWORK") String network;
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
            description = "Release every address whose owner/interface is not listed as valid (CNI GC; unreadable records are kept).")
    static final class Gc implements Callable<Integer> {
        @ParentCommand IpamCommand parent;
        @Spec CommandSpec spec;
        @Mixin DataDir dataDir;
        @Parameters(index = "0", paramLabel = "NETWORK") String network;
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
            List<InetAddress> freed = dryRun
                    ? parent.ipam.list(dir, network).stream().filter(r -> HostLocalIpam.isStale(r, keep)).map(AllocationRecord::address).toList()
                    : parent.ipam.gc(dir, network, keep);
            Freed f = Freed.of(network, freed);
            cli.print(f, () -> !dryRun ? f.text() : freed.isEmpty() ? "nothing would be released on network \"" + network + "\""
                    : "would release on network \"" + network + "\": " + String.join(", ", f.released()));
            return 0;
        }
    }
}
