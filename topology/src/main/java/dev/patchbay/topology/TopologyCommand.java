package dev.patchbay.topology;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.orchestrator.network.NetworkFeatures;
import dev.patchbay.orchestrator.network.NetworkManager;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.annotations.ServiceScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code patchbay topology [--format text|dot|svg|json]}: the host namespace, its containers and what joins them. */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("topology")
@Command(name = "topology", mixinStandardHelpOptions = true,
        description = {"Show what is really there, read from the kernel and Patchbay's records: the host namespace (-n) and "
                + "every container namespace, veth pairs joined across them, bridges and their ports, uplinks, addresses, "
                + "default routes, published ports, masquerade, and what other bundles add to a network (its DNS names, its services). Links Patchbay did not make are marked foreign.",
                "svg runs Graphviz's dot (Debian package graphviz); -o json is --format json."})
public final class TopologyCommand implements PatchbayCommand {
    @Reference
    NetworkManager manager;

    /** The bundles that add to a network (DNS, services): drawn beside it. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policyOption = ReferencePolicyOption.GREEDY)
    volatile List<NetworkFeatures> features;

    @Spec
    CommandSpec spec;

    @Option(names = "--format", paramLabel = "FORMAT", description = "text (default), dot, svg or json.")
    String format;

    @Override
    public Integer call() {
        CliContext cli = CliContext.of(spec);
        String f = format == null ? (cli.json() ? "json" : "text") : format;
        if (!DotRender.formats().contains(f)) {
            throw new InvalidInputException("format", format, "must be one of " + String.join(", ", DotRender.formats()));
        }
        java.nio.file.Path dot = f.equals("svg") ? Graphviz.find(System.getenv("PATH")) : null; // before any work
        Topology t = Discovery.discover(manager, features == null ? List.of() : features, cli.netns(), cli.stateDir(), w -> cli.err().println("patchbay: warning: " + w));
        cli.err().flush();
        switch (f) {
            case "json" -> cli.out().println(CliContext.gson().toJson(t));
            case "dot" -> cli.out().print(DotRender.render(t));
            case "svg" -> cli.out().print(new String(Graphviz.draw(dot, DotRender.render(t), "svg"), StandardCharsets.UTF_8));
            default -> cli.out().print(TextRender.render(t));
        }
        cli.out().flush();
        return 0;
    }
}
