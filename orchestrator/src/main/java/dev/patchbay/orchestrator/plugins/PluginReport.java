package dev.patchbay.orchestrator.plugins;

import dev.patchbay.core.command.PatchbayCommandName;
import dev.patchbay.core.firewall.Firewall;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.network.NetworkPlugin;
import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.Version;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.resource.Namespace;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.ReferenceDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/**
 * What {@code plugins ls} shows, read from the framework (bundles, their services, their wiring) and from
 * SCR's runtime (the components' states): nothing is guessed.
 */
final class PluginReport {
    /** The framework property naming the bundles folder (set by the launcher). */
    static final String BUNDLES_DIR = "patchbay.bundles.dir";

    /** Service property that marks each kind of contribution, and the kind's name. */
    private static final Map<String, String> KINDS = new LinkedHashMap<>();

    static {
        KINDS.put(NetworkPlugin.TYPE, "network-plugin");
        KINDS.put(Firewall.BACKEND, "firewall-backend");
        KINDS.put(Ipam.TYPE_PROPERTY, "ipam");
        KINDS.put(PatchbayCommandName.PROPERTY, "command");
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

    static List<Entry> read(BundleContext ctx, ServiceComponentRuntime scr) {
        Map<Long, Set<Provided>> provided = provided(ctx);
        Map<Long, List<String>> conflicts = conflicts(ctx);
        List<Entry> entries = new ArrayList<>();
        Bundle[] bundles = ctx.getBundles();
        for (Bundle b : bundles) {
            List<String> problems = new ArrayList<>();
            boolean fragment = b.getHeaders("").get(Constants.FRAGMENT_HOST) != null;
            if (b.getState() == Bundle.INSTALLED) {
                problems.addAll(unresolved(ctx, b));
            } else if (b.getState() == Bundle.RESOLVED && !fragment) {
                problems.add("resolved but not started: its start failed or it was stopped");
            } else if (b.getState() == Bundle.ACTIVE) {
                problems.addAll(components(scr, b));
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
        for (String property : List.of(NetworkPlugin.TYPE, PatchbayCommandName.PROPERTY)) {
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

    // --- why a bundle is not resolved: each mandatory requirement no capability of the framework meets

    private static final Pattern FILTER_NAME = Pattern.compile("\\(([\\w.]+)=([^()*]+)\\)");
    private static final Pattern FILTER_BOUND = Pattern.compile("(\\(!)?\\(version(>=|<=|=)([0-9][\\w.-]*)\\)");

    private static List<String> unresolved(BundleContext ctx, Bundle b) {
        BundleRevision revision = b.adapt(BundleRevision.class);
        FrameworkWiring wiring = ctx.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class);
        List<String> problems = new ArrayList<>();
        if (revision == null || wiring == null) {
            return List.of("not resolved");
        }
        for (BundleRequirement req : revision.getDeclaredRequirements(null)) {
            Map<String, String> dirs = req.getDirectives();
            String effective = dirs.getOrDefault(Namespace.REQUIREMENT_EFFECTIVE_DIRECTIVE, Namespace.EFFECTIVE_RESOLVE);
            String resolution = dirs.getOrDefault(Namespace.REQUIREMENT_RESOLUTION_DIRECTIVE, Namespace.RESOLUTION_MANDATORY);
            if (!Namespace.EFFECTIVE_RESOLVE.equals(effective) || !Namespace.RESOLUTION_MANDATORY.equals(resolution)) {
                continue; // optional, dynamic or checked only when active (e.g. osgi.extender)
            }
            List<BundleCapability> providers = new ArrayList<>(wiring.findProviders(req));
            providers.removeIf(c -> c.getRevision().getBundle().getBundleId() == b.getBundleId());
            if (providers.isEmpty()) {
                problems.add(missing(ctx, req));
            } else if (providers.stream().allMatch(c -> c.getRevision().getBundle().getState() == Bundle.INSTALLED)) {
                Bundle p = providers.iterator().next().getRevision().getBundle();
                problems.add("needs " + what(req) + ", which only " + p.getSymbolicName() + " " + p.getVersion()
                        + " provides, and that bundle is not resolved either");
            }
        }
        if (problems.isEmpty()) {
            problems.add("not resolved, though every requirement has a provider (a conflict between providers: run with -v for the framework's reasons)");
        }
        return problems;
    }

    /** A requirement nobody meets, in words; for a package or a bundle, with the versions the framework does have. */
    private static String missing(BundleContext ctx, BundleRequirement req) {
        String ns = req.getNamespace();
        String name = nameIn(req);
        String asked = what(req);
        if (name == null || !(ns.equals(BundleRevision.PACKAGE_NAMESPACE) || ns.equals(BundleRevision.BUNDLE_NAMESPACE)
                || ns.equals(BundleRevision.HOST_NAMESPACE))) {
            return "needs " + asked + ", which no installed bundle provides";
        }
        List<String> have = new ArrayList<>();
        for (Bundle other : ctx.getBundles()) {
            BundleRevision r = other.adapt(BundleRevision.class);
            if (r == null) {
                continue;
            }
            String capNs = ns.equals(BundleRevision.PACKAGE_NAMESPACE) ? ns : BundleRevision.BUNDLE_NAMESPACE;
            for (BundleCapability c : r.getDeclaredCapabilities(capNs)) {
                Object n = c.getAttributes().get(capNs);
                if (name.equals(n)) {
                    Object v = c.getAttributes().get(ns.equals(BundleRevision.PACKAGE_NAMESPACE) ? "version" : "bundle-version");
                    have.add((v == null ? Version.emptyVersion : v) + (ns.equals(BundleRevision.PACKAGE_NAMESPACE)
                            ? " (from " + other.getSymbolicName() + " " + other.getVersion() + ")" : ""));
                }
            }
        }
        if (ns.equals(BundleRevision.HOST_NAMESPACE)) {
            return "is a fragment of " + asked.replaceFirst("^bundle ", "") + ", which is not installed"
                    + (have.isEmpty() ? "" : " in that version (installed: " + String.join(", ", have) + ")");
        }
        if (have.isEmpty()) {
            return "needs " + asked + ", which no installed bundle " + (ns.equals(BundleRevision.PACKAGE_NAMESPACE) ? "exports" : "is");
        }
        return "needs " + asked + ", but the framework has " + String.join(", ", have)
                + ": it was built for another version of that API";
    }

    /** {@code package P version [X,Y)}, {@code bundle B version ...}, or the namespace and the filter. */
    private static String what(BundleRequirement req) {
        String ns = req.getNamespace();
        String name = nameIn(req);
        String range = rangeIn(req.getDirectives().get(Namespace.REQUIREMENT_FILTER_DIRECTIVE));
        String noun = ns.equals(BundleRevision.PACKAGE_NAMESPACE) ? "package" : ns.equals(BundleRevision.BUNDLE_NAMESPACE)
                || ns.equals(BundleRevision.HOST_NAMESPACE) ? "bundle" : null;
        if (noun == null || name == null) {
            return "the capability " + ns + " " + req.getDirectives().getOrDefault(Namespace.REQUIREMENT_FILTER_DIRECTIVE, "");
        }
        return noun + " " + name + (range == null ? "" : " version " + range);
    }

    private static String nameIn(BundleRequirement req) {
        String filter = req.getDirectives().get(Namespace.REQUIREMENT_FILTER_DIRECTIVE);
        if (filter == null) {
            return null;
        }
        Matcher m = FILTER_NAME.matcher(filter);
        while (m.find()) {
            if (m.group(1).equals(req.getNamespace())) {
                return m.group(2);
            }
        }
        return null;
    }

    /** The version range of a filter as the manifest writes it, e.g. {@code [3.0.0,4.0.0)}; null without one. */
    static String rangeIn(String filter) {
        if (filter == null) {
            return null;
        }
        String low = null;
        String high = null;
        boolean lowIncl = true;
        boolean highIncl = false;
        Matcher m = FILTER_BOUND.matcher(filter);
        while (m.find()) {
            boolean not = m.group(1) != null;
            String op = m.group(2);
            String v = m.group(3);
            if (op.equals("=") && !not) {
                return "[" + v + "," + v + "]";
            } else if (op.equals(">=") && !not) {
                low = v;
                lowIncl = true;
            } else if (op.equals(">=")) {
                high = v;
                highIncl = false;
            } else if (op.equals("<=") && !not) {
                high = v;
                highIncl = true;
            } else if (op.equals("<=")) {
                low = v;
                lowIncl = false;
            }
        }
        if (low == null && high == null) {
            return null;
        }
        if (high == null) {
            return (lowIncl ? "" : "above ") + low + (lowIncl ? " or later" : "");
        }
        return (lowIncl ? "[" : "(") + (low == null ? "0.0.0" : low) + "," + high + (highIncl ? "]" : ")");
    }

    // --- why an active bundle's components do not work, from SCR

    private static List<String> components(ServiceComponentRuntime scr, Bundle b) {
        List<String> problems = new ArrayList<>();
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs(b)) {
            String who = who(d);
            if (!scr.isComponentEnabled(d)) {
                if (d.defaultEnabled) {
                    problems.add(who + " is disabled");
                }
                continue;
            }
            Collection<ComponentConfigurationDTO> configs = scr.getComponentConfigurationDTOs(d);
            if (configs.isEmpty() && "require".equals(d.configurationPolicy)) {
                problems.add(who + " waits for its configuration (" + String.join(", ", d.configurationPid) + ")");
            }
            for (ComponentConfigurationDTO c : configs) {
                if (c.state == ComponentConfigurationDTO.UNSATISFIED_REFERENCE) {
                    for (UnsatisfiedReferenceDTO u : c.unsatisfiedReferences) {
                        problems.add(who + " needs " + needed(d, u));
                    }
                } else if (c.state == ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION) {
                    problems.add(who + " waits for its configuration (" + String.join(", ", d.configurationPid) + ")");
                } else if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                    String failure = c.failure == null ? "" : c.failure.strip();
                    int nl = failure.indexOf('\n');
                    problems.add(who + " failed to activate" + (failure.isEmpty() ? "" : ": " + (nl < 0 ? failure : failure.substring(0, nl).strip())));
                }
            }
        }
        return problems;
    }

    /** {@code network-plugin "macvlan" (component x.y.Z)}, or {@code component x.y.Z} for one that is none of the kinds. */
    private static String who(ComponentDescriptionDTO d) {
        for (Map.Entry<String, String> kind : KINDS.entrySet()) {
            Object name = d.properties == null ? null : d.properties.get(kind.getKey());
            if (name != null) {
                return kind.getValue() + " \"" + (name instanceof String[] a && a.length > 0 ? a[0] : name) + "\" (component " + d.name + ")";
            }
        }
        return "component " + d.name;
    }

    /** What an unsatisfied reference waits for: the service interface, its target filter, how many it has. */
    private static String needed(ComponentDescriptionDTO d, UnsatisfiedReferenceDTO u) {
        String iface = u.name;
        for (ReferenceDTO r : d.references) {
            if (r.name.equals(u.name)) {
                iface = r.interfaceName;
            }
        }
        boolean targeted = u.target != null && !u.target.isEmpty();
        int found = u.targetServices == null ? 0 : u.targetServices.length;
        return "a service " + iface + (targeted ? " matching " + u.target : "") + " (reference \"" + u.name + "\"), "
                + (found == 0 ? "which no bundle provides" : "of which only " + found + " " + (found == 1 ? "is" : "are") + " registered");
    }
}
