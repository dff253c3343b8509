package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.UnavailableException;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import dev.patchbay.firewall.host.FirewallManager;
import dev.patchbay.host.plugins.Providers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Holds what the network use cases need — the network stack, the installed plugins by type, IPAM, the
 * firewall — and keeps one handle per host namespace open for the life of the process (in the daemon,
 * that is what makes an attach cost milliseconds). The use cases themselves are {@link Networks},
 * {@link Attachments} and {@link Recovery}, wired once per state directory ({@link UseCases}, which says who calls
 * whom); {@link Chain} runs a network's plugins.
 */
@Component(service = NetworkManager.class)
public final class NetworkManager {
    /** Service property of a plugin: options {@code network create} sets when left out ({@link #createDefaults}). */
    static final String CREATE_DEFAULTS = "patchbay.plugin.create.defaults";

    @Reference
    NetworkStack stack;

    @Reference
    FirewallManager firewall;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile Ipam ipam;

    /** What other bundles keep for a network beside its chain (their checks and repairs run with the network's). */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile List<NetworkChecks> checks;

    /** The providers of each plugin type, the one that serves first ({@link Providers#ORDER}). */
    private final Map<String, List<Provided>> plugins = new ConcurrentHashMap<>();
    private final Map<String, NetnsHandle> hosts = new ConcurrentHashMap<>();
    private final Map<Path, UseCases> useCases = new ConcurrentHashMap<>();
    private StateWarmUp warmUp;

    @org.osgi.service.component.annotations.Activate
    void activate() {
        warmUp = StateWarmUp.start(); // while the framework starts the other bundles
    }

    /** A plugin service and its reference (its bundle, its ranking). */
    record Provided(NetworkPlugin plugin, ServiceReference<?> ref) {
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addPlugin(NetworkPlugin plugin, ServiceReference<NetworkPlugin> ref) {
        plugins.compute(String.valueOf(ref.getProperty(NetworkPlugin.TYPE)), (type, had) -> {
            List<Provided> all = new ArrayList<>(had == null ? List.of() : had);
            all.add(new Provided(plugin, ref));
            all.sort(java.util.Comparator.comparing(Provided::ref, Providers.ORDER));
            return List.copyOf(all);
        });
    }

    void removePlugin(NetworkPlugin plugin, ServiceReference<NetworkPlugin> ref) {
        plugins.computeIfPresent(String.valueOf(ref.getProperty(NetworkPlugin.TYPE)), (type, had) -> {
            List<Provided> left = had.stream().filter(p -> p.plugin() != plugin).toList();
            return left.isEmpty() ? null : left;
        });
    }

    /** The installed plugin of {@code type}; a clear error naming it when none is. */
    NetworkPlugin plugin(String type, String role) {
        return provided(type, role).plugin();
    }

    /** The plugin of {@code type} a chain would take now, if one is installed (CNI serves its types through it). */
    public java.util.Optional<NetworkPlugin> installed(String type) {
        List<Provided> all = plugins.get(type);
        return all == null || all.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(all.get(0).plugin());
    }

    private Provided provided(String type, String role) {
        Provided p = first(type);
        if (p == null) {
            throw missing(type, role);
        }
        return p;
    }

    private static UnavailableException missing(String type, String role) {
        return new UnavailableException("no network " + role + " \"" + type + "\" is installed (a bundle registering "
                + NetworkPlugin.class.getName() + " with " + NetworkPlugin.TYPE + "=" + type + "; see patchbay plugins ls)");
    }

    /** A flag of {@code network create} the plugin of {@code type} declares ({@link NetworkPlugin#FLAGS}); a switch when {@code label} is null. */
    record Flag(String key, String label, String help, String type) {
    }

    /**
     * The per-attachment options of the installed plugins ({@link NetworkPlugin#ATTACH_OPTIONS}), each a flag of
     * {@code attach}: {@code --KEY VALUE}; of two plugins taking one key, the first type by name describes it.
     */
    List<Flag> attachFlags() {
        Map<String, Flag> byKey = new TreeMap<>();
        for (String type : new TreeSet<>(plugins.keySet())) {
            Provided p = first(type);
            for (String key : p == null ? List.<String>of() : strings(p.ref().getProperty(NetworkPlugin.ATTACH_OPTIONS))) {
                if (key.matches("[a-z0-9][a-z0-9_.-]{0,62}")) {
                    byKey.putIfAbsent(key, new Flag(key, "VALUE", p.plugin().options().get(key), type));
                }
            }
        }
        return List.copyOf(byKey.values());
    }

    /** The flags the installed plugins declare, by key; of two plugins declaring one key, the first type by name declares it. */
    List<Flag> flags() {
        Map<String, Flag> byKey = new TreeMap<>();
        for (String type : new TreeSet<>(plugins.keySet())) {
            Provided p = first(type);
            for (String f : p == null ? List.<String>of() : strings(p.ref().getProperty(NetworkPlugin.FLAGS))) {
                int eq = f.indexOf('=');
                String key = eq < 0 ? f : f.substring(0, eq);
                if (key.matches("[a-z0-9][a-z0-9_.-]{0,62}")) { // an option's key: anything else is no flag
                    byKey.putIfAbsent(key, new Flag(key, eq < 0 ? null : f.substring(eq + 1), p.plugin().options().get(key), type));
                }
            }
        }
        return List.copyOf(byKey.values());
    }

    /** The driver {@code network create} uses when none is named: the installed one declaring {@link NetworkPlugin#DEFAULT_DRIVER}. */
    String defaultDriver() {
        for (String type : new TreeSet<>(plugins.keySet())) {
            Provided p = first(type);
            if (p != null && "true".equals(String.valueOf(p.ref().getProperty(NetworkPlugin.DEFAULT_DRIVER))) && !chainedOnly(p)) {
                return type;
            }
        }
        throw new UnavailableException("no network driver is the default: name one with --driver (no installed plugin declares "
                + NetworkPlugin.DEFAULT_DRIVER + "=true; see patchbay plugins ls)");
    }

    /**
     * What {@code network create} sets for options the operator leaves out, as the installed plugins of {@code chain}
     * declare it in their service property {@value #CREATE_DEFAULTS} ({@code KEY=VALUE}s): the command line's habits
     * (Docker's networks are isolated), not the plugin's own defaults, which CNI networks keep.
     */
    Map<String, String> createDefaults(List<String> chain) {
        Map<String, String> out = new TreeMap<>();
        for (String type : chain) {
            Provided p = first(type);
            for (String kv : p == null ? List.<String>of() : strings(p.ref().getProperty(CREATE_DEFAULTS))) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    out.putIfAbsent(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
        }
        return out;
    }

    private Provided first(String type) {
        List<Provided> all = plugins.get(type);
        return all == null || all.isEmpty() ? null : all.get(0);
    }

    private static boolean chainedOnly(Provided p) {
        return NetworkPlugin.CHAINED.equals(p.ref().getProperty(NetworkPlugin.ROLE));
    }

    /**
     * Refuses an attach option no plugin of the network's chain takes per attachment ({@link NetworkPlugin#ATTACH_OPTIONS}),
     * naming it and the ones they take.
     */
    void checkAttachOptions(NetworkConfig config, Map<String, String> options) {
        Set<String> known = new java.util.TreeSet<>();
        for (String type : config.chain()) {
            Provided p = first(type);
            known.addAll(p == null ? List.of() : strings(p.ref().getProperty(NetworkPlugin.ATTACH_OPTIONS)));
        }
        for (String key : options.keySet()) {
            if (!known.contains(key)) {
                throw new InvalidInputException("opt", key, "is not an attach option of network \"" + config.name() + "\"'s chain ("
                        + String.join(", ", config.chain()) + (known.isEmpty() ? ": it takes none)" : ": it takes " + String.join(", ", known) + ")"));
            }
        }
    }

    /** A service property of one or more strings (String, String[] or a collection) as a list. */
    private static List<String> strings(Object value) {
        if (value instanceof String[] all) {
            return List.of(all);
        }
        if (value instanceof java.util.Collection<?> all) {
            return all.stream().map(String::valueOf).toList();
        }
        return value == null ? List.of() : List.of(String.valueOf(value));
    }

    /**
     * The network's chain. A plugin no bundle provides is a {@link MissingPlugin}: a set-up, a check or a rule asked of it
     * fails naming the first missing one (as {@link Chain#requireInstalled} does), a teardown works from the records.
     */
    Chain chain(NetworkConfig config) {
        List<NetworkPlugin> out = new ArrayList<>(config.plugins().size() + 1);
        List<String> origins = new ArrayList<>(config.plugins().size() + 1);
        for (String type : config.chain()) {
            String role = out.isEmpty() ? "driver" : "plugin";
            List<Provided> all = plugins.get(type);
            if (all == null || all.isEmpty()) {
                out.add(new MissingPlugin(out.isEmpty(), () -> missing(type, role)));
                origins.add("not installed");
            } else {
                out.add(all.get(0).plugin());
                origins.add(Providers.origin(all.get(0).ref()));
            }
        }
        return new Chain(config.chain(), out, origins);
    }

    /** Every installed plugin type (sorted), its first provider each, as one chain: to ask all of them (a network's recovery). */
    Chain installed() {
        List<String> types = new ArrayList<>(new java.util.TreeSet<>(plugins.keySet()));
        List<NetworkPlugin> out = new ArrayList<>();
        List<String> origins = new ArrayList<>();
        for (String type : types) {
            Provided p = provided(type, "plugin");
            out.add(p.plugin());
            origins.add(Providers.origin(p.ref()));
        }
        return new Chain(types, out, origins);
    }

    /** The IPAM data directory of a network: a folder holding one folder per network (host-local's {@code dataDir}). */
    public static final String IPAM_DIR = "ipam.dir";
    /** The IPv4 addresses a network hands out, {@code FIRST-LAST} (host-local's {@code rangeStart}, {@code rangeEnd}). */
    public static final String IPAM_RANGE = "ipam.range";
    /** The IPv6 addresses a network hands out, {@code FIRST-LAST}. */
    public static final String IPAM_RANGE6 = "ipam.range6";

    /** Options of every network, whatever its chain: the orchestrator's own, on how addresses are handed out. */
    static final Map<String, String> IPAM_OPTIONS = Map.of(
            IPAM_DIR, "IPAM data directory, one folder per network, host-local's layout (default: <state dir>/ipam)",
            IPAM_RANGE, "IPv4 addresses handed out, FIRST-LAST inside the subnet; either end may be left out (default: the whole subnet)",
            IPAM_RANGE6, "IPv6 addresses handed out, FIRST-LAST inside the IPv6 subnet");

    /** A new network's configuration completed: the driver's default chain when none was named, every plugin's defaults, options checked. */
    NetworkConfig complete(NetworkConfig asked, boolean defaultChain) {
        NetworkConfig config = asked;
        Provided driver = provided(asked.driver(), "driver");
        if (chainedOnly(driver)) {
            throw new InvalidInputException("driver", asked.driver(), "is a chained plugin (" + NetworkPlugin.ROLE + "="
                    + NetworkPlugin.CHAINED + "): it adds to a driver's network and cannot drive one; name it in --chain");
        }
        if (defaultChain) {
            List<String> after = driver.plugin().defaultChain();
            config = new NetworkConfig(asked.name(), asked.driver(), after, asked.subnet(), asked.gateway(), asked.subnet6(),
                    asked.gateway6(), asked.options());
        }
        Chain chain = chain(config);
        Set<String> known = new LinkedHashSet<>();
        for (NetworkPlugin p : chain.plugins()) {
            known.addAll(p.options().keySet());
        }
        known.addAll(IPAM_OPTIONS.keySet());
        for (String key : config.options().keySet()) {
            if (!known.contains(key)) {
                throw new InvalidInputException("opt", key, "is not an option of driver \"" + config.driver() + "\""
                        + (config.plugins().isEmpty() ? "" : " or of plugins " + String.join(", ", config.plugins()))
                        + (known.isEmpty() ? " (they take none)" : " (they take: " + String.join(", ", known) + ")"));
            }
        }
        for (NetworkPlugin p : chain.plugins()) {
            config = config.withDefaults(p.defaults(config));
        }
        AttachInputs.ipamConfig(config); // the IPAM options checked, naming the one that is wrong
        String dir = config.options().get(IPAM_DIR);
        if (dir != null && !(dir.startsWith("/") && !dir.contains("\0"))) {
            throw new InvalidInputException(IPAM_DIR, dir, "must be an absolute path");
        }
        return config;
    }

    /** The IPAM service (a dry run's: a scratch copy); UnavailableException while none is installed. */
    public Ipam ipam() {
        Ipam i = ipam;
        if (i == null) {
            throw new UnavailableException("no IPAM service is installed (a bundle registering " + Ipam.class.getName() + ")");
        }
        return i;
    }

    /** What every plugin of the network is given; the host handle is opened once per process and namespace. */
    NetworkContext context(NetnsRef hostRef, String hostId, NetworkConfig config, Chain chain) {
        NetnsHandle host = hosts.computeIfAbsent(hostId, k -> stack.open(hostRef));
        return new NetworkContext(host, stack, config, chain.plugins().get(0).hostInterface(config));
    }

    /**
     * This manager for a dry run ({@link DryRun}): the same plugins and IPAM, over {@code stack} (an overlay that records
     * instead of changing) and {@code firewall} (a rehearsal), with no host handle open yet.
     */
    NetworkManager rehearsal(NetworkStack overlay, FirewallManager rehearsal) {
        NetworkManager m = new NetworkManager();
        m.stack = overlay;
        m.firewall = rehearsal;
        m.ipam = ipam;
        m.plugins.putAll(plugins);
        return m;
    }

    /** The firewall this manager applies rules through (a dry run's: a rehearsal that only prints). */
    public FirewallManager firewallManager() {
        return firewall;
    }

    public NetworkStack stack() {
        return stack;
    }

    public Networks networks(Path stateDir) {
        return useCases(stateDir).networks;
    }

    public Attachments attachments(Path stateDir) {
        return useCases(stateDir).attachments;
    }

    public Recovery recovery(Path stateDir) {
        return useCases(stateDir).recovery;
    }

    /** The use cases of {@code stateDir}, wired once ({@link UseCases}); they keep no state of their own. */
    private UseCases useCases(Path stateDir) {
        return useCases.computeIfAbsent(stateDir, dir -> new UseCases(this, dir));
    }

    @Deactivate
    void deactivate() {
        if (warmUp != null) {
            warmUp.stop(); // it must not outlive the bundle's wiring
        }
        hosts.values().forEach(NetnsHandle::close);
        hosts.clear();
        useCases.clear();
    }
}
