package dev.patchbay.doctor;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import dev.patchbay.core.firewall.Firewall;
import dev.patchbay.doctor.explain.ExplainCommand;
import dev.patchbay.doctor.explain.Hop;
import dev.patchbay.firewall.host.FirewallManager;
import dev.patchbay.orchestrator.network.ContainerOptions;
import dev.patchbay.orchestrator.network.NetworkDiagnosis;
import dev.patchbay.orchestrator.network.NetworkFeatures;
import dev.patchbay.orchestrator.network.NetworkManager;
import dev.patchbay.orchestrator.network.Networks;
import java.util.ArrayList;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.annotations.ServiceScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code patchbay doctor [NETWORK [--netns C | --id ID]]}: what in the host namespace keeps Patchbay from working (see
 * {@link HostChecks}), with a network its health and each {@link NetworkDiagnosis}'s findings, and with a container too,
 * where that container's traffic stops ({@link Walk}). Reads
 * only. Exit 0 when nothing failed (warnings included), 1 when a check failed.
 */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("doctor")
@Command(name = "doctor", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Check the host namespace: privileges, kernel features, firewall backends, ip_forward, a FORWARD DROP policy of"
                + " another tool, host ports that published ports shadow, the state directory, the daemon.",
                "With NETWORK: its health, and what the bundles check of it (an overlay network: the kernel's routes, neighbours and"
                        + " forwarding entries against etcd).",
                "With NETWORK and a container (--netns, --pid, --path or --id): walk its way out step by step — interface and"
                        + " addresses, route to the gateway, the gateway answering, forwarding and masquerade, each published port —"
                        + " and say where it breaks."})
public final class DoctorCommand implements PatchbayCommand {
    /** One finding: where (host, or the attachment), what was checked, ok / warn / fail / skip, and in words. */
    public record Check(String area, String check, String status, String detail) {
    }

    /** The report: every check, and whether none failed. */
    public record Report(List<Check> checks, boolean ok) {
    }

    @Reference
    NetworkManager manager;

    @Reference
    FirewallManager firewall;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile List<Firewall> backends = List.of();

    /** What bundles check of a network beyond its health (the overlay: the kernel against etcd). */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile List<NetworkDiagnosis> diagnoses = List.of();

    private final boolean inDaemon;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NETWORK",
            description = "Check this network (its health, and what its bundles compare, e.g. an overlay's kernel entries with etcd);"
                    + " with a container option, walk that attachment too.")
    String network;

    @Mixin
    ContainerOptions container = new ContainerOptions();

    private final String bundlesDir;

    @Activate
    public DoctorCommand(BundleContext context) {
        this.inDaemon = "true".equals(context.getProperty("patchbay.daemon"));
        this.bundlesDir = context.getProperty("patchbay.bundles.dir");
    }

    @Override
    public Integer call() {
        CliContext cli = CliContext.of(spec);
        List<Check> checks = new ArrayList<>();
        new HostChecks(manager, firewall, backends, cli.stateDir(), cli.netns(), inDaemon).run(checks);
        BundlesFolderCheck.doctor(bundlesDir).forEach(c -> checks.add(new Check("plugins", "bundles folder", c[0], c[1])));
        if (network != null) {
            boolean walk = container.hasNamespace();
            try {
                walk = container.containerId() != null;
            } catch (RuntimeException noContainer) {
                // the network alone: its own checks
            }
            diagnose(cli, checks, !walk);
            if (walk) {
                new Walk(manager, firewall, backends, cli.stateDir(), cli.netns()).run(network, container, checks);
                outside(cli, checks);
            }
        } else if (container.hasNamespace()) {
            checks.add(new Check("attachment", "network", "fail", "name the network to walk, e.g. patchbay doctor NETWORK --netns NS"));
        }
        Report report = new Report(checks, checks.stream().noneMatch(c -> c.status().equals("fail")));
        cli.print(report, () -> text(report));
        return report.ok() ? 0 : 1;
    }

    /**
     * The network's health (what the kernel lacks of what its records ask) and what each {@link NetworkDiagnosis} finds;
     * a network that cannot be read is named only when no walk follows (the walk names it).
     */
    private void diagnose(CliContext cli, List<Check> checks, boolean alone) {
        String area = "network \"" + network + "\"";
        Networks.Details d;
        try {
            d = manager.networks(cli.stateDir()).inspect(cli.netns(), network);
        } catch (RuntimeException e) {
            if (alone) {
                checks.add(new Check(area, "network", "fail", e.getMessage()));
            }
            return;
        }
        if (d.health() != null) {
            boolean ok = d.health().equals("ok");
            checks.add(new Check(area, "health", ok ? "ok" : d.health().equals("unknown") ? "skip" : "fail",
                    ok ? "the kernel holds what its records ask" : d.health() + (d.missing().isEmpty() ? "" : ": missing " + String.join(", ", d.missing()))
                            + (d.note() == null ? "" : " (" + d.note() + ")") + (ok ? "" : "; patchbay gc repairs it")));
        }
        NetworkFeatures.Shown shown = new NetworkFeatures.Shown(cli.stateDir(), cli.netns(), d.config(), d.attachments());
        for (NetworkDiagnosis s : diagnoses) {
            try {
                s.diagnose(shown).forEach(f -> checks.add(new Check(area, f.check(), f.status(), f.detail())));
            } catch (RuntimeException e) {
                checks.add(new Check(area, s.getClass().getSimpleName(), "fail", "could not check: " + e.getMessage()));
            }
        }
    }

    /** The container's way out as {@code explain C outside} walks it; with no default route in the host, nothing to walk. */
    private void outside(CliContext cli, List<Check> checks) {
        String area = "path to the outside";
        try {
            area = "path to the outside (explain " + container.containerId() + " outside)";
            for (Hop h : ExplainCommand.outside(manager, firewall, backends, cli.stateDir(), cli.netns(), container.containerId())) {
                boolean nowhere = h.isBroken() && h.step().equals("outside");
                checks.add(new Check(area, h.step(), nowhere ? "skip" : h.isBroken() ? "fail" : h.status(), h.detail()));
            }
        } catch (RuntimeException e) {
            checks.add(new Check(area, "path", "skip", e.getMessage()));
        }
    }

    private static String text(Report r) {
        StringBuilder sb = new StringBuilder();
        String area = null;
        int width = r.checks().stream().mapToInt(c -> c.check().length()).max().orElse(0);
        for (Check c : r.checks()) {
            if (!c.area().equals(area)) {
                area = c.area();
                sb.append(area).append('\n');
            }
            sb.append(String.format("  %-4s  %-" + width + "s  %s%n", c.status(), c.check(), c.detail()));
        }
        long failed = r.checks().stream().filter(c -> c.status().equals("fail")).count();
        long warned = r.checks().stream().filter(c -> c.status().equals("warn")).count();
        sb.append(failed == 0 && warned == 0 ? "all checks passed" : failed + " failed, " + warned + " warning(s)");
        return sb.toString();
    }
}
