package dev.patchbay.launcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;

/**
 * The daemon's bundles folder, managed by Apache Felix File Install: a jar copied in is installed and
 * started within about two polls (File Install waits until a file stops changing), a jar replaced is
 * updated, a jar removed is uninstalled, each followed by a refresh of what was wired to it.
 *
 * <p>File Install does the first load too ({@code noInitialDelay}: its start scans the folder and
 * installs and starts every jar before it returns), so every bundle of the folder is one of its managed
 * artifacts from the beginning. Had the launcher installed them first, File Install would adopt them by
 * location but, knowing no checksum of theirs, update every one of them on its first scan.
 *
 * <p>File Install itself lives in {@code lib/}, beside the framework: it must not manage its own jar.
 * A CLI run never starts it (it reads the folder once, as it is), and framework stop waits for its
 * watcher thread, up to one poll: hence a short poll.
 */
final class HotDeploy {
    /** The framework property that marks the daemon (set by {@link Main}). */
    static final String DAEMON = "patchbay.daemon";
    /** Overrides where File Install's jar is, e.g. for tests; by default it is in the launcher's {@code lib/}. */
    static final String JAR_PROPERTY = "patchbay.fileinstall.jar";
    static final long POLL_MS = 1000;
    private static final String JAR_PREFIX = "org.apache.felix.fileinstall";
    /** Strongly held: java.util.logging keeps loggers weakly, and would drop the handler with the logger. */
    private static Logger julLogger;

    private final Path jar;
    private final Path bundlesDir;
    private volatile boolean loaded;

    private HotDeploy(Path jar, Path bundlesDir) {
        this.jar = jar;
        this.bundlesDir = bundlesDir;
    }

    /** For a daemon ({@value #DAEMON}{@code =true} in {@code properties}): File Install's jar, or null if it is missing. */
    static HotDeploy forDaemon(Map<String, String> properties, Path bundlesDir) {
        if (!"true".equals(properties.get(DAEMON))) {
            return null;
        }
        Path found = findJar();
        return found == null ? null : new HotDeploy(found, bundlesDir.toAbsolutePath().normalize());
    }

    /** Whether {@code properties} are a daemon's: then a missing File Install is worth a warning. */
    static boolean isDaemon(Map<String, String> properties) {
        return "true".equals(properties.get(DAEMON));
    }

    /** Where the launcher looks for File Install, for messages. */
    static Path libDir() {
        try {
            Path self = Path.of(HotDeploy.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isDirectory(self) ? self : self.getParent();
        } catch (Exception e) {
            return Path.of("lib");
        }
    }

    private static Path findJar() {
        String prop = System.getProperty(JAR_PROPERTY);
        if (prop != null && !prop.isEmpty()) {
            return Files.isRegularFile(Path.of(prop)) ? Path.of(prop) : null;
        }
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(libDir(), JAR_PREFIX + "*.jar")) {
            for (Path p : dir) {
                return p;
            }
        } catch (IOException | RuntimeException e) {
            // no lib folder: no hot deploy
        }
        return null;
    }

    /** File Install reads its configuration from framework properties. */
    Map<String, String> frameworkProperties(Path storage, boolean verbose) {
        Map<String, String> p = new HashMap<>();
        p.put("felix.fileinstall.dir", bundlesDir.toString());
        p.put("felix.fileinstall.poll", Long.toString(POLL_MS));
        p.put("felix.fileinstall.noInitialDelay", "true");
        p.put("felix.fileinstall.filter", ".*\\.jar");
        p.put("felix.fileinstall.subdir.mode", "skip");
        p.put("felix.fileinstall.bundles.new.start", "true");
        p.put("felix.fileinstall.tmpdir", storage.resolve("fileinstall").toString()); // deleted with the cache
        p.put("felix.fileinstall.log.default", "jul");
        p.put("felix.fileinstall.log.level", verbose ? "4" : "3");
        return p;
    }

    /**
     * Starts File Install, which loads the folder before it returns; then reports, one line each, the jars
     * it could not install and the bundles it could not start (File Install retries those whenever a bundle
     * comes or goes).
     */
    List<String> start(BundleContext ctx, PrintWriter log, boolean verbose) {
        bridgeLog(log, verbose);
        List<String> problems = new ArrayList<>();
        try {
            ctx.installBundle(jar.toUri().toString()).start();
        } catch (BundleException | RuntimeException e) {
            problems.add("hot deploy is off: cannot start File Install (" + jar + "): " + e.getMessage());
            return problems;
        } finally {
            loaded = true;
        }
        Set<Path> installed = new TreeSet<>();
        for (Bundle b : ctx.getBundles()) {
            Path p = pathOf(b.getLocation());
            if (p == null || !bundlesDir.equals(p.getParent())) {
                continue;
            }
            installed.add(p);
            boolean fragment = b.getHeaders().get(Constants.FRAGMENT_HOST) != null;
            if (!fragment && b.getState() != Bundle.ACTIVE && b.getState() != Bundle.STARTING) {
                problems.add("cannot start bundle " + b.getSymbolicName() + " (" + p.getFileName() + "): see patchbay plugins ls");
            }
        }
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(bundlesDir, "*.jar")) {
            for (Path p : dir) {
                if (Files.isRegularFile(p) && !installed.contains(p.toAbsolutePath().normalize())) {
                    problems.add("cannot install " + p.getFileName() + " (see the hot deploy message above)");
                }
            }
        } catch (IOException e) {
            problems.add("cannot list " + bundlesDir + ": " + e.getMessage());
        }
        return problems;
    }

    /** The file a bundle location names ({@code file:/...}), or null for other locations. */
    static Path pathOf(String location) {
        try {
            // the CLI installs "reference:file:..." (Felix reads the jar where it lies instead of copying it)
            URI uri = new URI(location.startsWith("reference:") ? location.substring("reference:".length()) : location).normalize();
            return "file".equals(uri.getScheme()) ? Path.of(uri).toAbsolutePath().normalize() : null;
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * File Install logs through java.util.logging (logger {@code fileinstall}): one line each on the daemon's
     * log. Its per-bundle notes (installing, starting, updating) only once the first load is done, so that a
     * start shows only what went wrong; with {@code -v}, everything.
     */
    private void bridgeLog(PrintWriter log, boolean verbose) {
        Logger logger = Logger.getLogger("fileinstall");
        for (Handler h : logger.getHandlers()) {
            logger.removeHandler(h);
        }
        logger.setUseParentHandlers(false);
        logger.setLevel(verbose ? Level.FINE : Level.INFO);
        logger.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                boolean problem = r.getLevel().intValue() >= Level.WARNING.intValue();
                if (!problem && !loaded && !verbose) {
                    return;
                }
                Throwable t = r.getThrown();
                String tag = r.getLevel() == Level.SEVERE ? "error: " : problem ? "warning: " : "";
                log.println("patchbay: hot deploy: " + tag + r.getMessage() + (t == null ? "" : ": " + t.getMessage()));
                if (t != null && verbose) {
                    t.printStackTrace(log);
                }
                log.flush();
            }

            @Override
            public void flush() {
                log.flush();
            }

            @Override
            public void close() {
                // the log belongs to the launcher
            }
        });
        julLogger = logger;
    }
}
