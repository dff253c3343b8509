package dev.patchbay.launcher;

import dev.patchbay.host.plugins.JarTrust;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import picocli.CommandLine;

/**
 * Starts an embedded OSGi framework with a private, throwaway cache, installs every jar of a bundles
 * folder and starts every bundle that is not a fragment. A bundle that fails to start is reported and
 * skipped: the others, and the commands they contribute, keep working. Each start begins from an empty
 * cache, or from a copy of a {@link FrameworkTemplate} made from this very folder, so a CLI run sees the folder
 * exactly as it is. A daemon hands the folder to its watcher instead ({@link HotDeploy}), which keeps the framework in
 * step with it while the daemon runs. Either way only jars it may trust are loaded ({@link JarTrust}): the others are
 * refused, one problem each.
 */
public final class FelixBoot implements AutoCloseable {

    private final Framework framework;
    private final Path storage;
    private final List<String> problems = new ArrayList<>();
    private boolean closed;
    private HotDeploy hot;

    /** The template this one-shot run makes at its end (none was there), or null. */
    private final FrameworkTemplate toMake;

    private FelixBoot(Framework framework, Path storage, FrameworkTemplate toMake) {
        this.framework = framework;
        this.storage = storage;
        this.toMake = toMake;
    }

    /** Boots the framework and loads {@code bundlesDir}. Problems are collected, see {@link #problems()}. */
    public static FelixBoot start(Path bundlesDir, PrintWriter log, boolean verbose) {
        return start(bundlesDir, log, verbose, Map.of());
    }

    /** {@code properties}: extra framework properties bundles read with {@code BundleContext.getProperty}. */
    public static FelixBoot start(Path bundlesDir, PrintWriter log, boolean verbose, Map<String, String> properties) {
        Path storage = newCache();
        Map<String, Object> config = new HashMap<>(properties);
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        FrameworkTemplate template = FrameworkTemplate.forRun(HotDeploy.isDaemon(properties));
        FrameworkTemplate toMake = null;
        FrameworkTemplate.Copy copy = null;
        if (template != null && template.present()) {
            copy = template.copyInto(storage);
        } else {
            config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
            toMake = template;
        }
        configure(config, bundlesDir, log, verbose);
        HotDeploy hot = HotDeploy.forDaemon(properties, bundlesDir);
        Stamps.mark("config");
        // Felix's own factory, not a ServiceLoader lookup: that reads META-INF/services of every jar on the class path
        FrameworkFactory factory = new org.apache.felix.framework.FrameworkFactory();
        Stamps.mark("factory");
        Framework framework = factory.newFramework(toStrings(config));
        Stamps.mark("felix");
        if (copy != null && !copy.succeeded()) { // an empty cache after all, as with no template
            deleteTree(storage);
            createCacheDirectory(storage);
        } else if (copy != null) {
            Stamps.mark("template copied");
        }
        FelixBoot boot = new FelixBoot(framework, storage, toMake);
        try {
            framework.init();
            Stamps.mark("init");
            if (copy != null && copy.succeeded()) {
                boot.refuseUntrusted(); // the template's bundles, before any of them starts
            }
            framework.start();
            Stamps.mark("start");
            markBooted();
            boot.loadBundles(hot, bundlesDir, log, verbose);
        } catch (BundleException | RuntimeException e) {
            boot.close();
            throw new IllegalStateException("cannot start the OSGi framework: " + e.getMessage(), e);
        }
        return boot;
    }

    /** Dead runs' caches swept, and this run's made. */
    private static Path newCache() {
        try {
            sweepDeadCaches();
            Stamps.mark("swept");
            return createCache();
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the framework cache directory: " + e.getMessage(), e);
        }
    }

    private static void createCacheDirectory(Path storage) {
        try {
            Files.createDirectory(storage, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the framework cache directory: " + e.getMessage(), e);
        }
    }

    /** The framework properties every run sets: SCR's cache, the system packages, the log, the resolver, the folder. */
    private static void configure(Map<String, Object> config, Path bundlesDir, PrintWriter log, boolean verbose) {
        // SCR keeps the component descriptions it parsed in its data file when it stops (a template holds it)
        config.put("ds.cache.metadata", "true");
        // the launcher and the bundles share picocli's annotations and model through the system bundle
        Stamps.mark("cache");
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, "picocli;version=\"" + picocliVersion() + "\"," + HOST_PACKAGES);
        Stamps.mark("picocli");
        config.put("felix.log.logger", new StderrLogger(log, verbose));
        config.put("felix.log.level", verbose ? "3" : "1");
        // Event Admin writes to stdout when no LogService is there: a warning (e.g. its delivery thread interrupted
        // as a one-shot run exits) would land in a command's output (-o json): errors only (1, its lowest), warnings with -v.
        config.put("org.apache.felix.eventadmin.LogLevel", verbose ? "2" : "1");
        // one resolution of a dozen bundles: Felix's default, a pool of resolver threads (one per processor), costs
        // a cold run more than it saves
        config.put("felix.resolver.parallelism", "1");
        // plugins ls reads it to name the jars of the folder that are not installed
        config.put(BUNDLES_DIR, bundlesDir.toAbsolutePath().normalize().toString());
    }

    /** The daemon's bundles through its hot deployment (when it has one and the folder exists), else the folder's jars. */
    private void loadBundles(HotDeploy hot, Path bundlesDir, PrintWriter log, boolean verbose) {
        if (hot != null && Files.isDirectory(bundlesDir)) {
            this.hot = hot;
            problems.addAll(hot.start(framework.getBundleContext(), log, verbose));
        } else {
            load(bundlesDir);
        }
    }

    /**
     * bin/patchbay keeps the class data sharing archive a run makes at exit ({@code -Dpatchbay.cds.archive=FILE}) only
     * if the run booted the framework: FILE.booted says so. A run that only forwarded to the daemon or printed help
     * would leave an archive without the framework's and the bundles' classes.
     */
    private static void markBooted() {
        String archive = System.getProperty("patchbay.cds.archive");
        if (archive != null && !archive.isEmpty()) {
            try {
                Files.newOutputStream(Path.of(archive + ".booted")).close();
            } catch (IOException | RuntimeException ignored) {
                // no archive kept: the next run makes one
            }
        }
    }

    private static Map<String, String> toStrings(Map<String, Object> config) {
        // Felix accepts objects in its configuration map (the logger instance); the generic type is a formality
        @SuppressWarnings({"unchecked", "rawtypes"})
        Map<String, String> raw = (Map) config;
        return raw;
    }

    /** picocli's version up to the first character that is not a digit or a dot (a constant: no class to load). */
    private static String picocliVersion() {
        String v = CommandLine.VERSION;
        int end = 0;
        while (end < v.length() && (Character.isDigit(v.charAt(end)) || v.charAt(end) == '.')) {
            end++;
        }
        return v.substring(0, end); // not a regular expression: the run's first one costs 5 ms
    }

    private void load(Path bundlesDir) {
        if (!Files.isDirectory(bundlesDir)) {
            problems.add("bundles folder " + bundlesDir + " does not exist");
            return;
        }
        BundleContext ctx = framework.getBundleContext();
        BundlesLoader loader = new BundlesLoader(bundlesDir.toAbsolutePath().normalize());
        List<Bundle> installed = new ArrayList<>();
        for (Path jar : loader.jars(problems)) {
            String why = JarTrust.refusal(jar);
            if (why != null) {
                problems.add(JarTrust.refused(jar, why));
                continue;
            }
            try {
                // by reference: Felix reads the jar in place instead of copying it into the cache (a throwaway one)
                installed.add(ctx.installBundle("reference:" + jar.toUri()));
            } catch (BundleException e) {
                String twin = loader.installedElsewhere(ctx, jar);
                problems.add(twin != null ? "bundles/" + jar.getFileName() + " is not installed: " + twin
                        : "cannot install " + jar.getFileName() + ": " + e.getMessage());
            }
        }
        Stamps.mark("installed");
        problems.addAll(loader.startAll(ctx, installed));
        Stamps.mark("started");
    }

    /**
     * Uninstalls the bundles (installed from a template, not started yet) whose jar may no longer be trusted: a template
     * is keyed by the folder's files, not by their owners and modes.
     */
    private void refuseUntrusted() {
        for (Bundle b : framework.getBundleContext().getBundles()) {
            Path jar = HotDeploy.pathOf(b.getLocation());
            String why = jar == null || b.getBundleId() == 0 ? null : JarTrust.refusal(jar);
            if (why != null) {
                problems.add(JarTrust.refused(jar, why));
                try {
                    b.uninstall();
                } catch (BundleException | RuntimeException e) {
                    problems.add("cannot uninstall bundle " + b.getSymbolicName() + ": " + e.getMessage());
                }
            }
        }
    }

    public BundleContext context() {
        return framework.getBundleContext();
    }

    public Framework framework() {
        return framework;
    }

    /** What went wrong while loading bundles: one line each. */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    /**
     * Stops the framework and deletes its cache. Idempotent and safe from two threads at once: the daemon calls it
     * from its shutdown hook (on SIGTERM) while the main thread's try-with-resources may call it too; the second
     * caller waits for the first and then returns.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (hot != null) {
            hot.stop();
        }
        stop();
        deleteTree(storage);
        Stamps.mark("deleted");
    }

    /**
     * Deletes the cache and leaves the framework running, for a process that exits next and has nothing left to do
     * in it (a CNI call with no daemon, once its result is made): stopping the framework would only deactivate
     * components that hold what the process's exit releases anyway (netlink sockets, namespace handles, libnftables
     * contexts; the state on disk is written before a call returns), 10-20 ms of a cold call. {@link #close} after
     * this does nothing.
     */
    public synchronized void discard() {
        if (closed) {
            return;
        }
        closed = true;
        if (toMake != null && problems.isEmpty()) {
            stop(); // SCR writes the component descriptions it parsed
            toMake.makeFrom(storage);
            Stamps.mark("template made");
        }
        deleteTree(storage);
        Stamps.mark("deleted");
    }

    private void stop() {
        try {
            framework.stop();
            framework.waitForStop(10_000);
        } catch (BundleException | InterruptedException | RuntimeException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
        Stamps.mark("stopped");
    }

    /**
     * The host API's packages (lib/host-api.jar, see its package-info) the system bundle exports to the bundles; the
     * version is the package's {@code @Version}.
     */
    static final String HOST_PACKAGES = "dev.patchbay.host.metrics;version=\"1.0.0\",dev.patchbay.host.plugins;version=\"1.2.0\","
            + "dev.patchbay.host.cni;version=\"1.0.0\",dev.patchbay.host.output;version=\"1.0.0\"";

    /** Framework property: the bundles folder, absolute. */
    public static final String BUNDLES_DIR = "patchbay.bundles.dir";

    /** Framework caches are named {@code patchbay-felix-PID-RANDOM} under the temp directory. */
    static final String CACHE_PREFIX = "patchbay-felix-";

    /**
     * Deletes the caches of processes that are gone: a process killed with SIGKILL runs no shutdown hook, so
     * its cache stays behind until the next framework start here. A cache whose process id is alive (or was
     * reused) is kept.
     */
    static void sweepDeadCaches() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        // a filter, not a glob: a glob compiles a regular expression, a few ms of a cold run
        DirectoryStream.Filter<Path> ours = new DirectoryStream.Filter<>() {
            @Override
            public boolean accept(Path p) {
                String name = p.getFileName().toString();
                return name.startsWith(CACHE_PREFIX) && name.indexOf('-', CACHE_PREFIX.length()) > 0;
            }
        };
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(tmp, ours)) {
            for (Path p : dir) {
                String rest = p.getFileName().toString().substring(CACHE_PREFIX.length());
                int dash = rest.indexOf('-');
                long pid;
                try {
                    pid = Long.parseLong(rest.substring(0, dash));
                } catch (NumberFormatException | IndexOutOfBoundsException e) {
                    continue; // not one of ours, or of an older release without the pid in the name
                }
                if (ProcessHandle.of(pid).isEmpty() && Files.isDirectory(p)) {
                    deleteTree(p);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // best effort: temp directories
        }
    }

    /**
     * {@code $TMPDIR/patchbay-felix-PID-N}, 0700. Not {@code Files.createTempDirectory}: its random names come from a
     * SecureRandom, whose set-up (security providers, seeding) costs a cold run 20 ms; the pid makes the name unique
     * among live processes and N among this process's caches.
     */
    private static Path createCache() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        String prefix = CACHE_PREFIX + pid() + "-";
        long n = System.nanoTime() & Long.MAX_VALUE;
        for (int i = 0; ; i++) {
            try {
                return Files.createDirectory(tmp.resolve(prefix + (n + i)), PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (FileAlreadyExistsException e) {
                if (i >= 100) {
                    throw e;
                }
            }
        }
    }

    /**
     * This process's id, from {@code /proc/self}: {@code ProcessHandle.current()} sets up the process API's native side
     * (a few ms of a cold run) for one number.
     */
    static long pid() {
        try {
            return Long.parseLong(Files.readSymbolicLink(Path.of("/proc/self")).toString());
        } catch (IOException | NumberFormatException | UnsupportedOperationException e) {
            return ProcessHandle.current().pid();
        }
    }

    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // best effort: a temp directory
        }
    }
}
