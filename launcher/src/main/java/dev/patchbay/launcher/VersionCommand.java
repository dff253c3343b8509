package dev.patchbay.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Version;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRevision;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code patchbay version}: Patchbay's version, the commit it was built from, the Java runtime, and the version of each
 * package of the plugin API (the packages the core bundle exports), which a plugin's imports must match.
 */
@Command(name = "version", mixinStandardHelpOptions = true,
        description = {"Print Patchbay's version, its commit, the Java runtime and the versions of the plugin API.",
            "The plugin API is the packages the core bundle exports, each with its version: a plugin built against another",
            "major version is refused.",
            "Through a daemon, the daemon's versions."})
final class VersionCommand implements Callable<Integer> {
    static final String CORE = "dev.patchbay.core";

    private final BundleContext ctx;

    @Spec
    CommandSpec spec;

    VersionCommand(BundleContext ctx) {
        this.ctx = ctx;
    }

    record Info(String version, String commit, String java, Map<String, String> spi) {
    }

    @Override
    public Integer call() {
        Info info = new Info(version(), commit(), System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")", spi(ctx));
        boolean json = "json".equals(spec.root().findOption("--output").getValue());
        spec.commandLine().getOut().print(json ? json(info) : text(info));
        spec.commandLine().getOut().flush();
        return 0;
    }

    static String version() {
        String v = VersionCommand.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** The commit the build was made from (build.properties, written by the launcher's build), or "unknown". */
    static String commit() {
        try (InputStream in = VersionCommand.class.getResourceAsStream("build.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            String c = p.getProperty("commit", "");
            return c.matches("[0-9a-f]{7,64}(-dirty)?") ? c : "unknown";
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The packages the core bundle exports and their versions, sorted by name; empty without a core bundle. */
    static Map<String, String> spi(BundleContext ctx) {
        Map<String, String> spi = new TreeMap<>();
        if (ctx == null) {
            return spi;
        }
        for (Bundle b : ctx.getBundles()) {
            BundleRevision rev = CORE.equals(b.getSymbolicName()) ? b.adapt(BundleRevision.class) : null;
            if (rev == null) {
                continue;
            }
            for (BundleCapability cap : rev.getDeclaredCapabilities(BundleRevision.PACKAGE_NAMESPACE)) {
                Object version = cap.getAttributes().get("version");
                spi.put(String.valueOf(cap.getAttributes().get(BundleRevision.PACKAGE_NAMESPACE)),
                        version instanceof Version v ? v.toString() : String.valueOf(version));
            }
        }
        return spi;
    }

    static String text(Info info) {
        StringBuilder s = new StringBuilder();
        s.append("patchbay ").append(info.version()).append('\n');
        s.append("commit   ").append(info.commit()).append('\n');
        s.append("java     ").append(info.java()).append('\n');
        String label = "spi      ";
        for (Map.Entry<String, String> e : info.spi().entrySet()) {
            s.append(label).append(e.getKey()).append(' ').append(e.getValue()).append('\n');
            label = "         ";
        }
        return s.toString();
    }

    static String json(Info info) {
        StringBuilder s = new StringBuilder("{\"version\":").append(quote(info.version()))
                .append(",\"commit\":").append(quote(info.commit()))
                .append(",\"java\":").append(quote(info.java()))
                .append(",\"spi\":{");
        String sep = "";
        for (Map.Entry<String, String> e : info.spi().entrySet()) {
            s.append(sep).append(quote(e.getKey())).append(':').append(quote(e.getValue()));
            sep = ",";
        }
        return s.append("}}\n").toString();
    }

    /** A JSON string (no JSON library on the launcher's class path). */
    static String quote(String v) {
        StringBuilder s = new StringBuilder("\"");
        for (char c : v.toCharArray()) {
            if (c == '"' || c == '\\') {
                s.append('\\').append(c);
            } else if (c < 0x20) {
                s.append(String.format("\\u%04x", (int) c));
            } else {
                s.append(c);
            }
        }
        return s.append('"').toString();
    }
}
