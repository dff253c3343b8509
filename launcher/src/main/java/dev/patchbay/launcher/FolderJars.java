package dev.patchbay.launcher;

import dev.patchbay.host.plugins.JarTrust;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.Version;

/** For {@code plugins ls}: the jars of the bundles folder that the framework does not have, and why: refused, a second copy, unreadable, new. */
final class FolderJars {
    private FolderJars() {
    }

    static List<PluginReport.Entry> notInstalled(BundleContext ctx, Bundle[] bundles) {
        String dir = ctx.getProperty(FelixBoot.BUNDLES_DIR);
        if (dir == null || !Files.isDirectory(Path.of(dir))) {
            return List.of();
        }
        Set<Path> installed = new HashSet<>();
        Map<String, Bundle> byIdentity = new HashMap<>();
        for (Bundle b : bundles) {
            Path p = HotDeploy.pathOf(b.getLocation());
            if (p != null) {
                installed.add(p);
            }
            byIdentity.put(b.getSymbolicName() + " " + b.getVersion(), b);
        }
        List<PluginReport.Entry> entries = new ArrayList<>();
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of(dir), "*.jar")) {
            ds.forEach(jars::add);
        } catch (IOException e) {
            return List.of();
        }
        jars.sort(null);
        for (Path jar : jars) {
            Path abs = jar.toAbsolutePath().normalize();
            if (installed.contains(abs) || !Files.isRegularFile(abs)) {
                continue;
            }
            String file = "bundles/" + jar.getFileName();
            String bsn = null;
            String version = null;
            String problem;
            try (JarFile jf = new JarFile(abs.toFile())) {
                Manifest mf = jf.getManifest();
                Attributes main = mf == null ? null : mf.getMainAttributes();
                bsn = main == null ? null : main.getValue(Constants.BUNDLE_SYMBOLICNAME);
                if (bsn != null) {
                    bsn = bsn.split(";")[0].strip();
                    version = Version.parseVersion(main.getValue(Constants.BUNDLE_VERSION)).toString();
                    Bundle same = byIdentity.get(bsn + " " + version);
                    String refused = JarTrust.refusal(abs);
                    problem = refused != null ? JarTrust.refused(abs, refused)
                            : same != null ? file + " is not installed: the same bundle is installed from " + where(same.getLocation())
                            : file + " is not installed (a daemon installs a new jar within a few seconds; otherwise see the warnings patchbay printed, or the daemon's log)";
                } else {
                    problem = file + " is not an OSGi bundle: its manifest has no Bundle-SymbolicName";
                }
            } catch (IOException | IllegalArgumentException e) {
                problem = file + " cannot be read as a jar: " + e.getMessage();
            }
            entries.add(new PluginReport.Entry(bsn, version, "NOT_INSTALLED", List.of(), List.of(problem)));
        }
        return entries;
    }

    /** A location as the operator knows it: the file, without Felix's {@code reference:} prefix. */
    private static String where(String location) {
        Path p = HotDeploy.pathOf(location);
        return p != null ? p.toUri().toString() : location;
    }
}
