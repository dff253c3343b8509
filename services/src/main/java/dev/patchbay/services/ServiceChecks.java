package dev.patchbay.services;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import dev.patchbay.core.errors.UnavailableException;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import dev.patchbay.orchestrator.network.NetworkChecks;
import dev.patchbay.orchestrator.network.NetworkFeatures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * A network's services kept like the network's own parts: each backend's bridge port must be hairpin (a backend
 * reaching its own service), which nothing else puts back when someone turns it off. {@code network inspect} shows a
 * port that is not as {@code degraded}, naming it, its backend and its service; {@code gc} (and the daemon's full check)
 * makes it hairpin again. The kernel's bridge-port flags are read with iproute2's {@code bridge -d -j link show} run in
 * the host namespace (argv, no shell): the network stack reads no bridge-port flags. A {@code service create} of the
 * network whose process died in the middle ({@link ServiceJournal}) is named too, and {@code gc} undoes it.
 */
@Component(reference = @Reference(name = "manager", service = dev.patchbay.orchestrator.network.NetworkManager.class))
public final class ServiceChecks implements NetworkChecks {
    /**
     * The network manager, looked up when a repair needs it ({@code manager}, a reference of the lookup strategy), not
     * bound: the manager holds this service among its checks, and a bound reference back would make a cycle, which SCR
     * closes late, after the manager's activation, on a thread of its own: a one-shot run's check could run before.
     */
    private final ComponentContext context;

    @Activate
    public ServiceChecks(ComponentContext context) {
        this.context = context;
    }

    @Reference
    dev.patchbay.firewall.host.FirewallManager firewall;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile dev.patchbay.core.ipam.Ipam ipam;

    @Override
    public List<String> check(NetworkStack stack, NetworkFeatures.Shown shown) {
        List<String> out = new ArrayList<>();
        pending(shown).forEach(p -> out.add("service " + p.name() + " half made (its create did not finish)"));
        unhairpinned(stack, shown).forEach(p -> out.add(p.what()));
        return out;
    }

    /** The creates of the network's services whose process died in the middle. */
    private static List<ServiceJournal.Pending> pending(NetworkFeatures.Shown shown) {
        String host = ServiceRecord.host(shown.host());
        return new ServiceJournal(shown.stateDir()).settled().stream()
                .filter(p -> p.network().equals(shown.config().name()) && p.host().equals(host)).toList();
    }

    @Override
    public List<String> repair(NetworkStack stack, NetworkFeatures.Shown shown) {
        List<String> done = new ArrayList<>();
        dev.patchbay.core.ipam.Ipam i = ipam;
        dev.patchbay.orchestrator.network.NetworkManager m = context.locateService("manager");
        for (ServiceJournal.Pending p : i == null || m == null ? List.<ServiceJournal.Pending>of() : pending(shown)) {
            if (new Services(m, firewall, i, shown.stateDir(), shown.host()).recover(p)) {
                done.add("undid the create of service " + p.name() + " that did not finish");
            }
        }
        List<Port> off = unhairpinned(stack, shown);
        if (off.isEmpty()) {
            return done;
        }
        try (NetnsHandle h = stack.open(shown.host())) {
            for (Port p : off) {
                h.links().setBridgePort(LinkRef.name(p.attachment().hostIf()), true, null);
                done.add("made " + p.what() + " again");
            }
        }
        return done;
    }

    /** A backend's bridge port that is not hairpin. */
    record Port(ServiceRecord service, ServiceRecord.Backend backend, Attachment attachment) {
        String what() {
            return "hairpin on \"" + attachment.hostIf() + "\" (backend " + backend.netns() + " of service " + service.name() + ")";
        }
    }

    /** The backends' bridge ports of the network's services that are not hairpin; ports not on a bridge are the bridge's to repair. */
    static List<Port> unhairpinned(NetworkStack stack, NetworkFeatures.Shown shown) {
        String host = ServiceRecord.host(shown.host());
        List<Port> ports = new ArrayList<>();
        for (ServiceRecord r : new ServiceStore(shown.stateDir()).list()) {
            if (!r.network().equals(shown.config().name()) || !r.host().equals(host)) {
                continue;
            }
            for (ServiceRecord.Backend b : r.backends()) {
                attachment(shown.attachments(), b.netns()).filter(a -> a.hostIf() != null).ifPresent(a -> ports.add(new Port(r, b, a)));
            }
        }
        if (ports.isEmpty()) {
            return List.of();
        }
        Map<String, Boolean> hairpin = hairpin(stack, shown.host());
        return ports.stream().filter(p -> Boolean.FALSE.equals(hairpin.get(p.attachment().hostIf().value()))).toList();
    }

    static java.util.Optional<Attachment> attachment(List<Attachment> attachments, String netns) {
        return attachments.stream().filter(a -> a.containerId().equals(netns) || a.netnsPath() != null && !a.netnsPath().isEmpty()
                && Path.of(a.netnsPath()).getFileName().toString().equals(netns)).findFirst();
    }

    /** Each bridge port of the host namespace: whether it is hairpin. */
    static Map<String, Boolean> hairpin(NetworkStack stack, NetnsRef host) {
        String out = stack.callIn(host, () -> {
            Process p = new ProcessBuilder("bridge", "-d", "-j", "link", "show").redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new UnavailableException("bridge -d -j link show failed: " + text.strip());
            }
            return text;
        });
        return parse(out);
    }

    /** {@code bridge -d -j link show}'s JSON: ifname to hairpin. */
    static Map<String, Boolean> parse(String json) {
        Map<String, Boolean> out = new HashMap<>();
        if (json.isBlank()) {
            return out;
        }
        for (JsonElement e : JsonParser.parseString(json).getAsJsonArray()) {
            var o = e.getAsJsonObject();
            if (o.has("ifname") && o.has("hairpin")) {
                out.put(o.get("ifname").getAsString(), o.get("hairpin").getAsBoolean());
            }
        }
        return out;
    }
}
