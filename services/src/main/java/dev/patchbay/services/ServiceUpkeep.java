package dev.patchbay.services;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.events.PatchbayEvents;
import dev.patchbay.firewall.host.FirewallManager;
import dev.patchbay.orchestrator.network.NetworkManager;
import java.nio.file.Path;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;

/**
 * In the daemon: a container detached from a network leaves every service of that network it was a backend of (its
 * rules then go to the other backends, or refuse with none), and a removed network's services go with it (rules and
 * records). It hears the orchestrator's {@code detached} and {@code network-removed} events, which the daemon's own
 * changes post; one run in process without a daemon ({@code PATCHBAY_DAEMON=off}) is not heard, and what it left stays
 * until {@code service backend rm} / {@code service rm}.
 */
@Component(immediate = true, property = {EventConstants.EVENT_TOPIC + "=" + PatchbayEvents.PREFIX + PatchbayEvents.DETACHED,
        EventConstants.EVENT_TOPIC + "=" + PatchbayEvents.PREFIX + PatchbayEvents.NETWORK_REMOVED})
public final class ServiceUpkeep implements EventHandler {
    @Reference
    NetworkManager manager;

    @Reference
    FirewallManager firewall;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile Ipam ipam;

    private Path stateDir;

    @Activate
    void activate(BundleContext ctx) {
        if ("true".equals(ctx.getProperty("patchbay.daemon"))) {
            String dir = ctx.getProperty("patchbay.state.dir");
            stateDir = dir == null || dir.isEmpty() ? CliContext.DEFAULT_STATE_DIR : Path.of(dir);
        }
    }

    @Override
    public void handleEvent(Event event) {
        Object network = event.getProperty(PatchbayEvents.NETWORK);
        Object container = event.getProperty(PatchbayEvents.CONTAINER);
        Ipam i = ipam;
        if (stateDir == null || network == null || i == null) {
            return;
        }
        boolean gone = event.getTopic().endsWith(PatchbayEvents.NETWORK_REMOVED);
        for (ServiceRecord r : new ServiceStore(stateDir).list()) {
            if (!r.network().equals(network)) {
                continue;
            }
            if (gone) {
                try {
                    new Services(manager, firewall, i, stateDir, NetnsRef.parse(r.host())).remove(r.name());
                } catch (RuntimeException e) {
                    System.err.println("patchbay: failed to remove service \"" + r.name() + "\" of removed network \"" + network + "\": " + e.getMessage());
                }
                continue;
            }
            for (ServiceRecord.Backend b : r.backends()) {
                if (container != null && (container.equals(b.container()) || container.equals(b.netns()))) {
                    try {
                        new Services(manager, firewall, i, stateDir, NetnsRef.parse(r.host())).backend(r.name(), b.netns() + ":" + b.port(), false);
                    } catch (RuntimeException e) {
                        System.err.println("patchbay: failed to remove backend \"" + b + "\" of service \"" + r.name() + "\" whose container was detached: "
                                + e.getMessage());
                    }
                }
            }
        }
    }
}
