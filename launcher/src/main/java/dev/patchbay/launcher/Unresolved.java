package dev.patchbay.launcher;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.Version;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.resource.Namespace;

/**
 * Why a bundle is not resolved, for {@code plugins ls}: each mandatory requirement no capability of the framework meets,
 * in words, with the versions the framework does have.
 */
final class Unresolved {
    private Unresolved() {
    }

    private static final Pattern FILTER_NAME = Pattern.compile("\\(([\\w.]+)=([^()*]+)\\)");
    private static final Pattern FILTER_BOUND = Pattern.compile("(\\(!)?\\(version(>=|<=|=)([0-9][\\w.-]*)\\)");

    static List<String> of(BundleContext ctx, Bundle b) {
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
}
