package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.UnavailableException;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.NetworkDriver;
import dev.patchbay.core.network.NetworkFirewall;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Holds what the network use cases need — the network stack, the drivers by type, IPAM, the network
 * firewall — and keeps one handle per host namespace open for the life of the process (in the daemon,
 * that is what makes an attach cost milliseconds). The use cases themselves are {@link Networks} and
 * {@link Attachments}.
 */
@Component(service = NetworkManager.class)
public final class NetworkManager {

    @Reference
    NetworkStack stack;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + Ipam.TYPE_PROPERTY + "=host-local)")
    volatile Ipam ipam;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile NetworkFirewall firewall;

    final List<Map.Entry<String, NetworkDriver>> drivers = new CopyOnWriteArrayList<>();
    private final Map<String, NetnsHandle> hosts = new ConcurrentHashMap<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addDriver(NetworkDriver driver, Map<String, Object> props) {
        drivers.add(Map.entry(String.valueOf(props.get(NetworkDriver.PROPERTY)), driver));
    }

    void removeDriver(NetworkDriver driver) {
        drivers.removeIf(e -> e.getValue() == driver);
    }

    NetworkDriver driver(String type) {
        return drivers.stream().filter(e -> e.getKey().equals(type)).map(Map.Entry::getValue).findFirst()
                .orElseThrow(() -> new UnavailableException("no network driver \"" + type + "\" is installed (a bundle registering "
                        + NetworkDriver.class.getName() + " with " + NetworkDriver.PROPERTY + "=" + type + ")"));
    }

    Ipam ipam() {
        Ipam i = ipam;
        if (i == null) {
            throw new UnavailableException("no IPAM service is installed (bundle dev.patchbay.plugin.ipam provides host-local)");
        }
        return i;
    }

    /** The network firewall, or null when no bundle provides one (then networks get no rules). */
    NetworkFirewall firewall() {
        return firewall;
    }

    NetworkFirewall requireFirewall(String why) {
        NetworkFirewall f = firewall;
        if (f == null) {
            throw new UnavailableException(why + " needs firewall rules, and no bundle provides "
                    + NetworkFirewall.class.getName() + " (bundle dev.patchbay.plugin.nat)");
        }
        return f;
    }

    /** A handle on the host namespace, opened once per process and namespace identity. */
    NetnsHandle host(NetnsRef ref, String identity) {
        return hosts.computeIfAbsent(identity, k -> stack.open(ref));
    }

    NetworkStack stack() {
        return stack;
    }

    public Networks networks(Path stateDir) {
        return new Networks(this, new NetworkStore(stateDir));
    }

    public Attachments attachments(Path stateDir) {
        return new Attachments(this, new NetworkStore(stateDir));
    }

    public Recovery recovery(Path stateDir) {
        return new Recovery(this, new NetworkStore(stateDir));
    }

    @Deactivate
    void deactivate() {
        hosts.values().forEach(NetnsHandle::close);
        hosts.clear();
    }
}
