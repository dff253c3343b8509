package dev.patchbay.doctor.explain;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import dev.patchbay.core.firewall.Firewall;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.firewall.host.FirewallManager;
import dev.patchbay.orchestrator.network.HostPorts;
import dev.patchbay.orchestrator.network.NetworkManager;
import dev.patchbay.core.model.NetnsRef;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.annotations.ServiceScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code patchbay explain FROM TO [PORT/PROTO]}: the path from one end to the other, hop by hop, and where it breaks.
 * Exit 0 when it works, 1 when a hop is broken. Changes nothing but a table of its own for the trace's time.
 */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("explain")
@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Why FROM reaches TO, or where it stops: the routes, the interfaces, the bridge and its ports, forwarding, and each"
                + " firewall verdict on a probe packet (the rule that accepts, drops or rewrites it, named with its table and chain, from the"
                + " kernel's packet trace), one line per hop. Exit 1 when the path is broken.",
                "FROM and TO: a container attached to a network of this host (its netns name or --id), an address, or outside (the"
                        + " host's default gateway; as FROM, anyone beyond the host: give the published PORT/PROTO)."})
public final class ExplainCommand implements PatchbayCommand {
    @Reference
    NetworkManager manager;

    @Reference
    FirewallManager firewall;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile List<Firewall> backends = List.of();

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FROM", description = "A container, an address, or outside.")
    String from;

    @Parameters(index = "1", paramLabel = "TO", description = "A container, an address, or outside.")
    String to;

    @Parameters(index = "2", arity = "0..1", paramLabel = "PORT/PROTO", description = "The port, e.g. 8080/tcp (default: an ICMP echo).")
    String port;

    @Override
    public Integer call() {
        CliContext cli = CliContext.of(spec);
        Explain.Port p = Explain.Port.parse(port);
        Explain.Result r = explain(manager, firewall, backends, cli.stateDir(), cli.netns()).run(from, to, p);
        cli.print(r, () -> text(r));
        return r.ok() ? 0 : 1;
    }

    /** {@code explain CONTAINER outside}: the hops of the container's way out, as {@code doctor NETWORK --netns C} shows them. */
    public static List<Hop> outside(NetworkManager manager, FirewallManager firewall, List<Firewall> backends, Path stateDir, NetnsRef host, String container) {
        return explain(manager, firewall, backends, stateDir, host).run(container, Endpoint.OUTSIDE, null).hops();
    }

    private static Explain explain(NetworkManager manager, FirewallManager firewall, List<Firewall> backends, Path stateDir, NetnsRef host) {
        List<NetworkConfig> networks = HostPorts.networksIn(manager.stack(), stateDir, host);
        Map<String, List<Attachment>> attached = new LinkedHashMap<>();
        networks.forEach(n -> attached.put(n.name(), manager.attachments(stateDir).list(n.name())));
        return new Explain(manager.stack(), host, networks, attached, firewall.host(stateDir, host), backends);
    }

    static String text(Explain.Result r) {
        StringBuilder sb = new StringBuilder(r.from() + " -> " + r.to() + (r.port() == null ? "" : " " + r.port()) + "\n");
        int width = r.hops().stream().mapToInt(h -> h.step().length()).max().orElse(0);
        for (Hop h : r.hops()) {
            sb.append(String.format("  %-6s  %-" + width + "s  %s%n", h.status(), h.step(), h.detail()));
        }
        sb.append(r.ok() ? "the path works" : "the path breaks at " + r.broken());
        return sb.toString();
    }
}
