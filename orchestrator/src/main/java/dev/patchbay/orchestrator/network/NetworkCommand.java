package dev.patchbay.orchestrator.network;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import dev.patchbay.core.command.TextTable;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.Callable;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code patchbay network create|ls|inspect|rm}. */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("network")
@Command(name = "network", mixinStandardHelpOptions = true,
        description = "Create, list, inspect and remove networks (a bridge, its subnet and its firewall rules).",
        subcommands = {NetworkCommand.Create.class, NetworkCommand.Ls.class, NetworkCommand.Inspect.class, NetworkCommand.Rm.class})
public final class NetworkCommand implements PatchbayCommand {

    @Reference
    NetworkManager manager;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "a subcommand is required: create, ls, inspect or rm");
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a network in the host namespace.")
    static final class Create implements Callable<Integer> {
        @ParentCommand NetworkCommand parent;
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "NAME", description = "Network name.") String name;
        @Option(names = "--subnet", required = true, paramLabel = "CIDR", description = "IPv4 subnet, e.g. 10.88.0.0/24.") String subnet;
        @Option(names = "--gateway", paramLabel = "IP", description = "Gateway address on the bridge (default: first host).") String gateway;
        @Option(names = "--bridge", paramLabel = "BR", description = "Bridge name (default: pb-NAME, cut to 15 bytes).") String bridge;
        @Option(names = "--driver", paramLabel = "TYPE", defaultValue = "bridge", description = "Network driver (default: ${DEFAULT-VALUE}).") String driver;
        @Option(names = "--masquerade", description = "Masquerade traffic leaving the subnet.") boolean masquerade;
        @Option(names = "--uplink", paramLabel = "IF", description = "Masquerade only out of this interface.") String uplink;
        @Option(names = "--isolate", description = "Drop traffic between this network and other networks.") boolean isolate;
        @Option(names = "--mtu", paramLabel = "N", description = "MTU of the bridge and the container links.") Integer mtu;
        @Option(names = "--ipv6", paramLabel = "CIDR", description = "IPv6 subnet for dual-stack.") String ipv6;

        @Override
        public Integer call() {
            CliContext cli = CliContext.of(spec);
            IpPrefix v4 = IpPrefix.parseSubnet("subnet", subnet);
            if (!v4.isV4()) {
                throw new dev.patchbay.core.errors.InvalidInputException("subnet", subnet, "must be IPv4 (use --ipv6 for IPv6)");
            }
            InetAddress gw = gateway == null ? NetworkConfig.firstHost(v4) : IpAddresses.parse("gateway", gateway);
            IpPrefix v6 = ipv6 == null ? null : IpPrefix.parseSubnet("ipv6", ipv6);
            String br = bridge != null ? bridge : defaultBridge(NetworkConfig.checkName(name));
            NetworkConfig config = new NetworkConfig(name, driver, v4, gw, v6, v6 == null ? null : NetworkConfig.firstHost(v6),
                    new IfName(br), masquerade, uplink == null ? null : new IfName(uplink), isolate, mtu);
            NetworkConfig created = parent.manager.networks(cli.stateDir()).create(cli.netns(), config);
            cli.print(created, () -> "network \"" + created.name() + "\" created: bridge " + created.bridge() + ", subnet "
                    + created.subnet() + ", gateway " + IpAddresses.format(created.gateway()));
            return 0;
        }

        static String defaultBridge(String name) {
            String b = "pb-" + name;
            return b.length() > 15 ? b.substring(0, 15) : b;
        }
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List networks.")
    static final class Ls implements Callable<Integer> {
        @ParentCommand NetworkCommand parent;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            CliContext cli = CliContext.of(spec);
            List<NetworkConfig> all = parent.manager.networks(cli.stateDir()).list();
            cli.print(all, () -> {
                TextTable t = new TextTable("NAME", "DRIVER", "BRIDGE", "SUBNET", "GATEWAY", "IPV6", "MASQUERADE", "ISOLATE");
                all.forEach(n -> t.row(n.name(), n.driver(), n.bridge(), n.subnet(), IpAddresses.format(n.gateway()), n.subnet6(),
                        n.masquerade() ? (n.uplink() == null ? "yes" : "via " + n.uplink()) : "no", n.isolate() ? "yes" : "no"));
                return t.toString();
            });
            return 0;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show a network and its attachments.")
    static final class Inspect implements Callable<Integer> {
        @ParentCommand NetworkCommand parent;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "NAME") String name;

        @Override
        public Integer call() {
            CliContext cli = CliContext.of(spec);
            Networks.Details d = parent.manager.networks(cli.stateDir()).inspect(name);
            cli.print(d, () -> {
                NetworkConfig n = d.config();
                StringBuilder sb = new StringBuilder();
                sb.append("network ").append(n.name()).append(" (driver ").append(n.driver()).append(", in ").append(d.host()).append(")\n");
                sb.append("  bridge ").append(n.bridge()).append(", subnet ").append(n.subnet()).append(", gateway ")
                        .append(IpAddresses.format(n.gateway())).append('\n');
                if (n.subnet6() != null) {
                    sb.append("  ipv6 ").append(n.subnet6()).append(", gateway ").append(IpAddresses.format(n.gateway6())).append('\n');
                }
                sb.append("  masquerade ").append(n.masquerade() ? "yes" : "no").append(", isolate ").append(n.isolate() ? "yes" : "no").append('\n');
                for (Attachment a : d.attachments()) {
                    sb.append("  ").append(a.containerId()).append(": ").append(a.ifName()).append(' ').append(a.addresses())
                            .append(" via ").append(a.hostIf()).append(a.ports().isEmpty() ? "" : " publish " + a.ports()).append('\n');
                }
                return sb.toString();
            });
            return 0;
        }
    }

    @Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true,
            description = "Remove a network: its bridge, its rules and its addresses. Refuses while containers are attached.")
    static final class Rm implements Callable<Integer> {
        @ParentCommand NetworkCommand parent;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "NAME", arity = "1..*") List<String> names;
        @Option(names = {"-f", "--force"}, description = "Detach every container first.") boolean force;

        @Override
        public Integer call() {
            CliContext cli = CliContext.of(spec);
            for (String n : names) {
                parent.manager.networks(cli.stateDir()).remove(cli.netns(), n, force);
                cli.print(java.util.Map.of("removed", n), () -> "network \"" + n + "\" removed");
            }
            return 0;
        }
    }
}
