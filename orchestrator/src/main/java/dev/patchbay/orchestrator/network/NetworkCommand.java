package dev.patchbay.orchestrator.network;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import dev.patchbay.state.Json;
import dev.patchbay.host.output.TextTable;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.state.AddressPools;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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

/** {@code patchbay network create|ls|inspect|rm|connect|disconnect|prune}. */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("network")
@Command(name = "network", mixinStandardHelpOptions = true, modelTransformer = PluginFlags.class,
        description = "Create, list, inspect and remove networks (a driver and its chain of plugins, subnets, options).",
        subcommands = {NetworkCommand.Create.class, NetworkCommand.Ls.class, NetworkCommand.Inspect.class, NetworkCommand.Rm.class,
            DockerVerbs.Connect.class, DockerVerbs.Disconnect.class, DockerVerbs.Prune.class})
public final class NetworkCommand implements PatchbayCommand {

    @Reference
    NetworkManager manager;

    /** What other bundles add to a network (its DNS, its services): listed by inspect. */
    @Reference(cardinality = org.osgi.service.component.annotations.ReferenceCardinality.MULTIPLE,
            policyOption = org.osgi.service.component.annotations.ReferencePolicyOption.GREEDY)
    volatile List<NetworkFeatures> features;

    @Spec
    CommandSpec spec;

    /** The flags the installed plugins declared when this command line was built ({@link PluginFlags}). */
    final List<NetworkManager.Flag> flags = new ArrayList<>();

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "a subcommand is required: create, ls, inspect, rm, connect, disconnect or prune");
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = {"Create a network in the host namespace.",
            "The driver makes its links; the plugins chained after it add to them. A driver's or plugin's options go as --opt "
                    + "KEY=VALUE; the flags below that name a plugin are shorthands the installed plugins declare for some of theirs."})
    static final class Create implements Callable<Integer> {
        @ParentCommand NetworkCommand parent;
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "NAME", description = "Network name.") String name;
        @Option(names = "--subnet", paramLabel = "CIDR", description = "IPv4 subnet, e.g. 10.88.0.0/24 (default: the next free one of "
                + "the default address pools, default-address-pools in patchbay.conf).") String subnet;
        @Option(names = "--gateway", paramLabel = "IP", description = "Gateway address (default: first host).") String gateway;
        @Option(names = "--ipv6", paramLabel = "CIDR", description = "IPv6 subnet for dual-stack.") String ipv6;
        @Option(names = "--driver", paramLabel = "TYPE", description = "Network driver (default: ${DEFAULT-VALUE}, the installed "
                + "driver that declares itself the default).") String driver;
        @Option(names = "--chain", paramLabel = "TYPE", split = ",", description = "Plugins after the driver, in order (default: the "
                + "driver's own chain; \"\" for none); +TYPE,... adds them after the driver's own chain.") List<String> chain;
        @Option(names = "--opt", paramLabel = "KEY=VALUE", description = "An option of the driver or of a chained plugin (repeatable).") Map<String, String> opts;
        @Option(names = "--dry-run", description = DryRun.HELP) boolean dryRun;
        @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A label of the operator's, shown by inspect and ls -o json, "
                + "selected by ls --filter label=KEY[=VALUE] (repeatable).") Map<String, String> labels;

        @Override
        public Integer call() {
            CliContext cli = CliContext.of(spec);
            AddressPools pools = subnet == null ? AddressPools.configured() : null;
            if (pools != null && gateway != null) {
                throw new InvalidInputException("gateway", gateway, "needs --subnet (a subnet from the default address pools has its first host as gateway)");
            }
            IpPrefix v4 = pools == null ? IpPrefix.parseSubnet("subnet", subnet) : pools.next(dev.patchbay.core.model.Family.INET, List.of())
                    .orElseThrow(() -> new InvalidInputException("subnet", null, "left out, and default-address-pools has no IPv4 pool"));
            if (!v4.isV4()) {
                throw new InvalidInputException("subnet", subnet, "must be IPv4 (use --ipv6 for IPv6)");
            }
            InetAddress gw = gateway == null ? NetworkConfig.firstHost(v4) : IpAddresses.parse("gateway", gateway);
            IpPrefix v6 = ipv6 == null ? null : IpPrefix.parseSubnet("ipv6", ipv6);
            Map<String, String> options = new TreeMap<>(opts == null ? Map.of() : opts);
            PluginFlags.given(spec, parent.flags).forEach((key, value) -> shorthand(options, key, value));
            String type = driver != null ? driver : parent.manager.defaultDriver();
            List<String> asked = chain == null ? null : chain.stream().map(String::strip).filter(t -> !t.isEmpty()).toList();
            boolean adding = asked != null && !asked.isEmpty() && asked.stream().allMatch(t -> t.startsWith("+"));
            if (asked != null && !adding && asked.stream().anyMatch(t -> t.startsWith("+"))) {
                throw new InvalidInputException("chain", String.join(",", chain), "mixes +TYPE (added after the driver's own chain) "
                        + "and TYPE (the whole chain): write every plugin with + or none");
            }
            List<String> after = asked == null ? List.of() : adding ? added(type, asked) : asked;
            List<String> whole = new ArrayList<>(List.of(type));
            whole.addAll(asked == null ? parent.manager.plugin(type, "driver").defaultChain() : after);
            // Docker's habits (isolate=true, dns=true) from the plugins the driver chains by default, the ones they were
            // written for: a driver that chains none (macvlan) gets none, even with the plugin asked for by --chain
            List<String> habitual = new ArrayList<>(List.of(type));
            habitual.addAll(parent.manager.plugin(type, "driver").defaultChain());
            habitual.retainAll(whole);
            parent.manager.createDefaults(habitual).forEach(options::putIfAbsent);
            NetworkConfig config = new NetworkConfig(name, type, after, v4, gw, v6, v6 == null ? null : NetworkConfig.firstHost(v6), options);
            Map<String, String> labelled = labels == null ? Map.of() : labels;
            if (dryRun) {
                return DryRun.print(cli, parent.manager, (m, dir) -> m.networks(dir).create(cli.netns(), config, asked == null, pools, labelled));
            }
            NetworkConfig created = parent.manager.networks(cli.stateDir()).create(cli.netns(), config, asked == null, pools, labelled);
            cli.print(created, () -> "network \"" + created.name() + "\" created: driver " + created.driver()
                    + (created.plugins().isEmpty() ? "" : " (then " + String.join(", ", created.plugins()) + ")")
                    + ", subnet " + created.subnet() + (created.gateway() == null ? "" : ", gateway " + IpAddresses.format(created.gateway()))
                    + (created.options().isEmpty() ? "" : ", " + options(created)));
            return 0;
        }

        /** The driver's own chain, then the plugins of {@code --chain +TYPE,...}. */
        private List<String> added(String type, List<String> plus) {
            List<String> all = new ArrayList<>(parent.manager.plugin(type, "driver").defaultChain());
            plus.forEach(t -> all.add(t.substring(1).strip()));
            return all;
        }

        private static void shorthand(Map<String, String> options, String key, String value) {
            String given = options.putIfAbsent(key, value);
            if (given != null && !given.equals(value)) {
                throw new InvalidInputException("opt " + key, given, "contradicts --" + key + " " + value);
            }
        }
    }

    static String options(NetworkConfig n) {
        StringBuilder sb = new StringBuilder();
        n.options().forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k).append('=').append(v));
        return sb.toString();
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = {"List networks, each with its health: ok, "
            + "degraded (what of it the kernel lacks: patchbay gc makes it again), damaged (its record cannot be read: patchbay gc "
            + "--repair rebuilds it) or unknown (it lives in another namespace)."})
    static final class Ls implements Callable<Integer> {
        @ParentCommand NetworkCommand parent;
        @Spec CommandSpec spec;
        @Option(names = {"-f", "--filter"}, paramLabel = "label=KEY[=VALUE]", description = "Only networks with this label (set to "
                + "this value); repeated: with every one.") List<String> filters;

        @Override
        public Integer call() {
            CliContext cli = CliContext.of(spec);
            List<String> fs = filters == null ? List.of() : filters;
            Labels.match(Map.of(), fs); // a filter that is not one is refused even when no network would be looked at
            List<Networks.Status> all = parent.manager.networks(cli.stateDir()).status(cli.netns()).stream()
                    .filter(s -> Labels.match(s.labels(), fs)).toList();
            List<Object> json = new ArrayList<>();
            for (Networks.Status s : all) {
                JsonObject o = s.config() == null ? new JsonObject() : Json.compact().toJsonTree(s.config()).getAsJsonObject();
                o.addProperty("name", s.name());
                o.addProperty("host", s.host());
                o.addProperty("health", s.health());
                o.add("missing", Json.compact().toJsonTree(s.missing()));
                o.addProperty("note", s.note());
                o.add("labels", Json.compact().toJsonTree(s.labels()));
                json.add(o);
            }
            cli.print(json, () -> {
                TextTable t = new TextTable("NAME", "DRIVER", "SUBNET", "GATEWAY", "IPV6", "CHAIN", "OPTIONS", "HEALTH");
                StringBuilder notes = new StringBuilder();
                for (Networks.Status s : all) {
                    NetworkConfig n = s.config();
                    if (n == null) {
                        t.row(s.name(), null, null, null, null, null, null, s.health());
                    } else {
                        t.row(n.name(), n.driver(), n.subnet(), n.gateway() == null ? null : IpAddresses.format(n.gateway()),
                                n.subnet6(), String.join(",", n.chain()), options(n), s.health());
                    }
                    if (!s.missing().isEmpty() || s.note() != null) {
                        notes.append(s.name()).append(": ").append(s.missing().isEmpty() ? "" : "missing " + String.join(", ", s.missing()))
                                .append(s.note() == null ? "" : (s.missing().isEmpty() ? "" : "; ") + s.note()).append('\n');
                    }
                }
                return t + (notes.length() == 0 ? "" : "\n" + notes);
            });
            return 0;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show a network, its attachments and its health "
            + "(what of it the kernel lacks, inside its containers too).")
    static final class Inspect implements Callable<Integer> {
        @ParentCommand NetworkCommand parent;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "NAME", description = "The network to show.") String name;

        @Override
        public Integer call() {
            CliContext cli = CliContext.of(spec);
            Networks.Details d = parent.manager.networks(cli.stateDir()).inspect(cli.netns(), name)
                    .with(parent.features == null ? List.of() : parent.features, cli.stateDir(), cli.netns());
            cli.print(d, () -> {
                NetworkConfig n = d.config();
                StringBuilder sb = new StringBuilder();
                sb.append("network ").append(n.name()).append(" (driver ").append(n.driver()).append(", in ").append(d.host()).append(")\n");
                sb.append("  health ").append(d.health()).append(d.missing().isEmpty() ? "" : ": missing " + String.join(", ", d.missing()))
                        .append(d.note() == null ? "" : " (" + d.note() + ")").append('\n');
                sb.append("  chain ").append(String.join(" -> ", n.chain())).append('\n');
                sb.append("  subnet ").append(n.subnet()).append(n.gateway() == null ? "" : ", gateway " + IpAddresses.format(n.gateway())).append('\n');
                if (n.subnet6() != null) {
                    sb.append("  ipv6 ").append(n.subnet6()).append(", gateway ").append(IpAddresses.format(n.gateway6())).append('\n');
                }
                if (!n.options().isEmpty()) {
                    sb.append("  options ").append(options(n)).append('\n');
                }
                if (!d.labels().isEmpty()) {
                    sb.append("  labels");
                    d.labels().forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
                    sb.append('\n');
                }
                for (Attachment a : d.attachments()) {
                    sb.append("  ").append(a.containerId()).append(": ").append(a.ifName()).append(' ').append(a.addresses())
                            .append(a.hostIf() == null ? "" : " via " + a.hostIf()).append(a.ports().isEmpty() ? "" : " publish " + a.ports())
                            .append(a.options().isEmpty() ? "" : " options " + a.options()).append('\n');
                }
                for (NetworkFeatures.Feature f : d.features()) {
                    sb.append("  ").append(f.title()).append('\n');
                    f.lines().forEach(l -> sb.append("    ").append(l).append('\n'));
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
        @Parameters(paramLabel = "NAME", arity = "1..*", description = "The networks to remove.") List<String> names;
        @Option(names = {"-f", "--force"}, description = "Detach every container first.") boolean force;
        @Option(names = "--dry-run", description = DryRun.HELP) boolean dryRun;

        @Override
        public Integer call() {
            CliContext cli = CliContext.of(spec);
            if (dryRun) {
                return DryRun.print(cli, parent.manager, (m, dir) -> names.forEach(n -> m.networks(dir).remove(cli.netns(), n, force)));
            }
            for (String n : names) {
                parent.manager.networks(cli.stateDir()).remove(cli.netns(), n, force);
                cli.print(java.util.Map.of("removed", n), () -> "network \"" + n + "\" removed");
            }
            return 0;
        }
    }
}
