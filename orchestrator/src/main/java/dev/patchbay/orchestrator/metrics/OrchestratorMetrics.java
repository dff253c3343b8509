package dev.patchbay.orchestrator.metrics;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.host.metrics.MetricsSink;
import dev.patchbay.host.metrics.MetricsSource;
import dev.patchbay.firewall.host.FirewallManager;
import dev.patchbay.orchestrator.network.NetworkManager;
import dev.patchbay.orchestrator.network.Usage;
import java.nio.file.Path;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * The orchestrator's numbers for the daemon's metrics (the launcher asks at each scrape): the networks of the daemon's
 * state directory with their attachments and addresses ({@link Usage}, from the records), the firewall backend in use in
 * the daemon's namespace (while it has networks: before, choosing one would probe every backend at each scrape), the repairs and plugin call failures counted since the bundle started ({@link Tally}), and the
 * components SCR cannot satisfy. A delayed component: nothing runs until a daemon scrapes.
 */
@Component(service = MetricsSource.class)
public final class OrchestratorMetrics implements MetricsSource {
    private final NetworkManager networks;
    private final FirewallManager firewall;
    private final Path stateDir;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile ServiceComponentRuntime scr;

    @Activate
    public OrchestratorMetrics(BundleContext ctx, @Reference NetworkManager networks, @Reference FirewallManager firewall) {
        this.networks = networks;
        this.firewall = firewall;
        String dir = ctx.getProperty("patchbay.state.dir");
        this.stateDir = dir == null || dir.isEmpty() ? CliContext.DEFAULT_STATE_DIR : Path.of(dir);
    }

    @Override
    public void collect(MetricsSink sink) {
        java.util.List<Usage> all = Usage.read(networks, stateDir);
        for (Usage u : all) {
            sink.network(u.network(), u.attachments());
            for (Usage.Addresses a : u.families()) {
                sink.addresses(u.network(), a.family(), a.used(), a.free());
            }
        }
        if (!all.isEmpty()) { // a network's rules made the backend's choice a record: read, not probed again at every scrape
            try {
                sink.firewallBackend(firewall.host(stateDir, NetnsRef.current()).backend());
            } catch (RuntimeException e) {
                // no backend installed or usable here: no backend to name
            }
        }
        sink.repairs("links", Tally.LINK_REPAIRS.sum());
        sink.pluginCallFailures("failed", Tally.PLUGIN_CALLS_FAILED.sum());
        sink.pluginCallFailures("timed_out", Tally.PLUGIN_CALLS_TIMED_OUT.sum());
        ServiceComponentRuntime runtime = scr;
        if (runtime != null) {
            int unsatisfied = 0;
            for (ComponentDescriptionDTO d : runtime.getComponentDescriptionDTOs()) {
                for (ComponentConfigurationDTO c : runtime.getComponentConfigurationDTOs(d)) {
                    if (c.state == ComponentConfigurationDTO.UNSATISFIED_REFERENCE || c.state == ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION) {
                        unsatisfied++;
                    }
                }
            }
            sink.unsatisfiedComponents(unsatisfied);
        }
    }
}
