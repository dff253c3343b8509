package dev.patchbay.launcher;

import dev.patchbay.host.plugins.Providers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * What {@code plugins ls} shows, read from the framework (bundles, their services, their wiring: {@link Unresolved}) and
 * from SCR's runtime (the components' states: {@link ScrComponents}): nothing is guessed.
 */
final class PluginReport {
    // the service properties that mark each kind of contribution: core's NetworkPlugin.TYPE, Firewall.BACKEND,
    // Ipam.TYPE_PROPERTY and PatchbayCommandName.PROPERTY (the launcher knows no core class; PluginReportTest checks them)
    static final String NETWORK_PLUGIN = "patchbay.plugin.type";
    static final String FIREWALL_BACKEND = "patchbay.firewall.backend";
    static final String IPAM = "patchbay.ipam.type";
    static final String COMMAND = PatchbayCli.COMMAND_PROPERTY;

    /** Service property that marks each kind of contribution, and the kind's name. */
    private static final Map<String, String> KINDS = new LinkedHashMap<>();

    static {
        KINDS.put(NETWORK_PLUGIN, "network-plugin");
        KINDS.put(FIREWALL_BACKEND, "firewall-backend");
        KINDS.put(IPAM, "ipam");
        KINDS.put(COMMAND, "command");
    }

    private static final List<String> STATES = List.of("UNINSTALLED", "INSTALLED", "RESOLVED", "STARTING", "STOPPING", "ACTIVE");

    /** One contribution of a bundle: its kind and its name (e.g. {@code network-plugin macvlan}). */
    record Provided(String kind, String name) {
    }

    /** One bundle, or a jar of the bundles folder that is not installed (then state {@code NOT_INSTALLED}). */
    record Entry(String symbolicName, String version, String state, List<Provided> provides, List<String> problems) {
    }


    private PluginReport() {
    }

    /** Every bundle of the framework, then each jar of the bundles folder it does not have. */
    static List<Entry> read(BundleContext ctx) {
        try (ScrComponents scr = ScrComponents.of(ctx, PluginReport::kindOf)) {
            return read(ctx, scr);
        }
    }

    private static List<Entry> read(BundleContext ctx, ScrComponents scr) {
        Map<Long, Set<Provided>> provided = provided(ctx);
        Map<Long, List<String>> conflicts = conflicts(ctx);
        List<Entry> entries = new ArrayList<>();
        Bundle[] bundles = ctx.getBundles();
        for (Bundle b : bundles) {
            List<String> problems = new ArrayList<>();
            boolean fragment = b.getHeaders("").get(Constants.FRAGMENT_HOST) != null;
            if (b.getState() == Bundle.INSTALLED) {
                problems.addAll(Unresolved.of(ctx, b));
            } else if (b.getState() == Bundle.RESOLVED && !fragment) {
                problems.add("resolved but not started: its start failed or it was stopped");
            } else if (b.getState() == Bundle.ACTIVE) {
                problems.addAll(scr == null ? List.of() : scr.problems(b));
            }
            problems.addAll(conflicts.getOrDefault(b.getBundleId(), List.of()));
            entries.add(new Entry(b.getSymbolicName(), b.getVersion().toString(), STATES.get(Integer.numberOfTrailingZeros(b.getState())),
                    List.copyOf(provided.getOrDefault(b.getBundleId(), Set.of())), problems));
        }
        entries.addAll(FolderJars.notInstalled(ctx, bundles));
        return entries;
    }

    /** The services carrying one of the {@link #KINDS} properties, by registering bundle. */
    private static Map<Long, Set<Provided>> provided(BundleContext ctx) {
        StringBuilder filter = new StringBuilder("(|");
        KINDS.keySet().forEach(k -> filter.append('(').append(k).append("=*)"));
        ServiceReference<?>[] refs;
        try {
            refs = ctx.getAllServiceReferences(null, filter.append(')').toString());
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        Map<Long, Set<Provided>> byBundle = new HashMap<>();
        for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
            Bundle owner = ref.getBundle();
            if (owner == null) {
                continue; // unregistered meanwhile
            }
            for (Map.Entry<String, String> kind : KINDS.entrySet()) {
                Object name = ref.getProperty(kind.getKey());
                if (name != null) {
                    byBundle.computeIfAbsent(owner.getBundleId(), k -> new TreeSet<>((a, c) -> a.kind().equals(c.kind())
                                    ? a.name().compareTo(c.name()) : kindOrder(a.kind()) - kindOrder(c.kind())))
                            .add(new Provided(kind.getValue(), String.valueOf(name)));
                }
            }
        }
        return byBundle;
    }

    /**
     * Two bundles providing one network plugin type or one command: one serves ({@link Providers#RULE}); each of them is
     * told who else provides it and whether it serves.
     */
    static Map<Long, List<String>> conflicts(BundleContext ctx) {
        Map<Long, List<String>> out = new HashMap<>();
        for (String property : List.of(NETWORK_PLUGIN, COMMAND)) {
            ServiceReference<?>[] refs;
            try {
                refs = ctx.getAllServiceReferences(null, "(" + property + "=*)");
            } catch (InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
            Map<String, List<ServiceReference<?>>> byName = new HashMap<>();
            for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
                if (ref.getBundle() != null) {
                    byName.computeIfAbsent(String.valueOf(ref.getProperty(property)), k -> new ArrayList<>()).add(ref);
                }
            }
            String kind = KINDS.get(property);
            byName.forEach((name, all) -> {
                if (all.stream().map(r -> r.getBundle().getBundleId()).distinct().count() < 2) {
                    return;
                }
                all.sort(Providers.ORDER);
                ServiceReference<?> winner = all.get(0);
                for (ServiceReference<?> r : all) {
                    List<String> others = all.stream().filter(o -> o.getBundle().getBundleId() != r.getBundle().getBundleId())
                            .map(o -> Providers.origin(o) + " (bundle " + o.getBundle().getBundleId() + ")").distinct().toList();
                    boolean serves = r.getBundle().getBundleId() == winner.getBundle().getBundleId();
                    out.computeIfAbsent(r.getBundle().getBundleId(), k -> new ArrayList<>()).add("conflict: " + kind + " \"" + name
                            + "\" is also provided by " + String.join(", ", others) + "; " + (serves ? "this bundle's serves" : Providers.origin(winner)
                            + "'s serves") + " (" + Providers.RULE + ")");
                }
            });
        }
        out.replaceAll((k, v) -> List.copyOf(new java.util.LinkedHashSet<>(v)));
        return out;
    }

    private static int kindOrder(String kind) {
        return new ArrayList<>(KINDS.values()).indexOf(kind);
    }

    /** {@code network-plugin "macvlan"} for a component or service with one of the kinds' properties, else null. */
    static String kindOf(Map<?, ?> properties) {
        for (Map.Entry<String, String> kind : KINDS.entrySet()) {
            Object name = properties.get(kind.getKey());
            if (name != null) {
                return kind.getValue() + " \"" + (name instanceof String[] a && a.length > 0 ? a[0] : name) + "\"";
            }
        }
        return null;
    }
}
