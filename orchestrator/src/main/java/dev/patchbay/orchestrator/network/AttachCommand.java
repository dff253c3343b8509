package dev.patchbay.orchestrator.network;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code patchbay attach NETWORK --netns NS ...}: plug a container into a network. */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("attach")
@Command(name = "attach", mixinStandardHelpOptions = true, sortOptions = false, modelTransformer = PluginFlags.Attach.class,
        description = "Attach a container (a network namespace) to a network: veth, addresses, default route, published ports.")
public class AttachCommand implements PatchbayCommand {
    @Reference
    NetworkManager manager;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NETWORK", description = "The network to attach the container to.")
    String network;

    @Mixin
    ContainerOptions container = new ContainerOptions();

    @Option(names = "--ifname", paramLabel = "IF", description = "Interface name in the container (default: the first ethN it does not have: eth0, eth1, ...).")
    String ifName;

    @Option(names = "--default-route", description = "Make this network's gateway the container's default route even when it has one"
            + " (from its first network: that one stays, behind this one). Without it a default route is added only where there is none.")
    boolean defaultRoute;

    @Option(names = "--ip", paramLabel = "IP", description = "A static address (one per family) instead of the next free one.")
    List<String> ips = new ArrayList<>();

    @Option(names = "--mac", paramLabel = "MAC", description = "MAC address of the container's interface.")
    String mac;

    @Option(names = {"-p", "--publish"}, paramLabel = "[HOSTIP:]HOSTPORT[-END]:CTRPORT[-END][/PROTO]",
            description = "Publish a container port on the host (repeatable; protocol tcp, udp or sctp; default tcp).")
    List<String> publish = new ArrayList<>();

    @Option(names = "--opt", paramLabel = "KEY=VALUE", description = "An option of a plugin of the network's chain for this container "
            + "alone, one it takes per attachment (repeatable); recorded with the attachment.")
    java.util.Map<String, String> opts;

    @Option(names = "--dry-run", description = DryRun.HELP)
    boolean dryRun;

    /** The plugins' per-attachment options added as flags ({@link PluginFlags.Attach}). */
    final List<NetworkManager.Flag> flags = new ArrayList<>();

    @Override
    public Integer call() {
        CliContext cli = CliContext.of(spec);
        List<InetAddress> addresses = ips.stream().map(s -> IpAddresses.parse("ip", s)).toList();
        List<PortMapping> ports = publish.stream().map(PortMapping::parse).toList();
        Attachments attachments = manager.attachments(cli.stateDir());
        MacAddress wanted = mac == null ? null : MacAddress.parse(mac);
        Macs.unusable(wanted).ifPresent(why -> {
            throw new InvalidInputException("--mac", mac, why);
        });
        if (wanted != null) {
            attachments.macHolder(cli.netns(), network, wanted).ifPresent(who -> {
                throw new InvalidInputException("--mac", mac, "is held on network \"" + network + "\" by " + who);
            });
        }
        java.util.Map<String, String> options = new java.util.LinkedHashMap<>(opts == null ? java.util.Map.of() : opts);
        PluginFlags.given(spec, flags).forEach((k, v) -> {
            if (options.containsKey(k) && !options.get(k).equals(v)) {
                throw new InvalidInputException("opt " + k, options.get(k), "contradicts --" + k + " " + v);
            }
            options.put(k, v);
        });
        // without --ifname the next free ethN, chosen before anything changes and recorded as the attachment's
        AttachRequest request = new AttachRequest(network, container.containerId(), container.ref(),
                ifName == null ? null : new IfName(ifName), addresses, wanted, ports, defaultRoute, options.isEmpty() ? null : options);
        if (dryRun) {
            return DryRun.print(cli, manager, (m, dir) -> m.attachments(dir).attach(cli.netns(), request, ifName == null));
        }
        Attachment a = attachments.attach(cli.netns(), request, ifName == null);
        cli.print(a, () -> "attached \"" + a.containerId() + "\" to network \"" + a.network() + "\": " + a.ifName() + " "
                + a.addresses() + (a.hostIf() == null ? "" : " (host side " + a.hostIf() + ")") + (a.ports().isEmpty() ? "" : ", publishing " + a.ports())
                + (a.options().isEmpty() ? "" : ", options " + a.options()));
        return 0;
    }
}
