package dev.patchbay.launcher;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.Version;
import org.osgi.framework.wiring.FrameworkWiring;

/** The steps a CLI run's load and the daemon's watcher share: the folder's jars, twins, starts, refreshes. */
final class BundlesLoader {
    private final Path bundlesDir;

    BundlesLoader(Path bundlesDir) {
        this.bundlesDir = bundlesDir;
    }

    /** The folder's {@code *.jar} files, absolute, by name; a folder that cannot be listed is a problem. */
    List<Path> jars(List<String> problems) {
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(bundlesDir, "*.jar")) {
            for (Path p : dir) {
                if (Files.isRegularFile(p)) {
                    jars.add(p.toAbsolutePath().normalize());
                }
            }
        } catch (IOException e) {
            problems.add("cannot list " + bundlesDir + ": " + e.getMessage());
        }
        jars.sort(null);
        return jars;
    }

    /**
     * Why {@code jar} is a second copy of a bundle installed from another file ({@code the same bundle (NAME VERSION) is
     * installed from FILE}), or null. A jar that cannot be read is left to the install, which says why.
     */
    String installedElsewhere(BundleContext ctx, Path jar) {
        String bsn;
        Version version;
        try (JarFile jf = new JarFile(jar.toFile())) {
            Manifest mf = jf.getManifest();
            Attributes main = mf == null ? null : mf.getMainAttributes();
            String name = main == null ? null : main.getValue(Constants.BUNDLE_SYMBOLICNAME);
            if (name == null) {
                return null;
            }
            bsn = name.split(";")[0].strip();
            version = Version.parseVersion(main.getValue(Constants.BUNDLE_VERSION));
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
        for (Bundle b : ctx.getBundles()) {
            Path from = HotDeploy.pathOf(b.getLocation());
            if (bsn.equals(b.getSymbolicName()) && version.equals(b.getVersion()) && !jar.equals(from)) {
                return "the same bundle (" + bsn + " " + version + ") is installed from " + (from == null ? b.getLocation()
                        : from.getParent().equals(bundlesDir) ? "bundles/" + from.getFileName() : from.toString());
            }
        }
        return null;
    }

    /** Starts each bundle that is not a fragment and not active; one line for each that does not start. */
    List<String> startAll(BundleContext ctx, List<Bundle> bundles) {
        List<String> problems = new ArrayList<>();
        for (Bundle b : bundles) {
            if (b.getState() == Bundle.UNINSTALLED || b.getState() == Bundle.ACTIVE || b.getHeaders().get(Constants.FRAGMENT_HOST) != null) {
                continue;
            }
            try {
                b.start();
                Stamps.mark(b.getSymbolicName());
            } catch (BundleException | IllegalStateException e) {
                problems.add("cannot start bundle " + b.getSymbolicName() + ": " + e.getMessage());
            }
        }
        return problems;
    }

    /** Refreshes {@code changed} and what is wired to them, and waits for the framework to finish (at most a minute). */
    void refresh(BundleContext ctx, List<Bundle> changed) throws InterruptedException {
        FrameworkWiring wiring = ctx.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class);
        CountDownLatch done = new CountDownLatch(1);
        wiring.refreshBundles(changed, e -> {
            if (e.getType() == FrameworkEvent.PACKAGES_REFRESHED || e.getType() == FrameworkEvent.ERROR) {
                done.countDown();
            }
        });
        done.await(60, TimeUnit.SECONDS);
    }
}
