package dev.patchbay.launcher;

import dev.patchbay.host.plugins.JarTrust;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * The daemon's bundles folder, kept in step with the framework by a watcher of the launcher's own: a jar copied in is
 * installed and started within about two polls (a jar is taken once its size and time stayed the same for one poll), a
 * jar replaced is updated, a jar removed is uninstalled, each followed by a refresh of what was wired to it.
 *
 * <p>What it refuses, each named in the daemon's log and in {@code plugins ls}: a jar it may not trust ({@link JarTrust}:
 * the file or its folder not root's, or writable by group or others); a second copy of a bundle already installed from
 * another jar (the same symbolic name and version): the installed one stays, and removing the copy changes nothing.
 * Apache Felix File Install did this before; it took a second copy as an update of the installed bundle and uninstalled
 * that bundle when the copy went, and it loaded any jar.
 *
 * <p>The daemon installs a jar by copying it into the framework's cache ({@code file:} location): a jar changed in place
 * does not change the running bundle until the watcher updates it. A CLI run never watches (it reads the folder once).
 */
final class HotDeploy {
    /** The framework property that marks the daemon (set by {@link Main}). */
    static final String DAEMON = "patchbay.daemon";
    /** The framework property {@code on} or {@code off} (the setting hot-deploy, set by {@link Main}): off loads the folder once. */
    static final String ENABLED = "patchbay.hot.deploy";
    static final long POLL_MS = 1000;

    private final Path bundlesDir;
    private final Map<Path, Managed> managed = new HashMap<>();
    private final Map<Path, Stat> seen = new HashMap<>();
    /** Jars refused or failed in the state they have now: not tried again until they change or a bundle goes. */
    private final Map<Path, Stat> passed = new HashMap<>();
    private final BundlesLoader loader;
    /** The folder's own state: a change of its owner or mode (or of its files) makes the refused jars be looked at again. */
    private Stat folder;
    private volatile boolean stopping;
    private Thread thread;
    private PrintWriter log;

    /** One jar the watcher installed: the bundle and the file's state when it was installed or updated. */
    private record Managed(Bundle bundle, Stat stat) {
    }

    /** Size, modification time, owner and mode: a jar changes when any of them does. */
    record Stat(long size, long mtime, int uid, int mode) {
        static Stat of(Path p) {
            try {
                return new Stat(Files.size(p), Files.getLastModifiedTime(p).toMillis(), (Integer) Files.getAttribute(p, "unix:uid"),
                        (Integer) Files.getAttribute(p, "unix:mode"));
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
    }

    private HotDeploy(Path bundlesDir) {
        this.bundlesDir = bundlesDir;
        this.loader = new BundlesLoader(bundlesDir);
    }

    /** For a daemon ({@value #DAEMON}{@code =true} in {@code properties}), else null. */
    static HotDeploy forDaemon(Map<String, String> properties, Path bundlesDir) {
        return isDaemon(properties) && !"off".equals(properties.get(ENABLED)) ? new HotDeploy(bundlesDir.toAbsolutePath().normalize()) : null;
    }

    static boolean isDaemon(Map<String, String> properties) {
        return "true".equals(properties.get(DAEMON));
    }

    /**
     * Loads the folder (each jar it may trust, once; the problems are returned, one line each) and starts watching it.
     */
    synchronized List<String> start(BundleContext ctx, PrintWriter log, boolean verbose) {
        this.log = log;
        folder = Stat.of(bundlesDir);
        List<String> problems = new ArrayList<>();
        for (Path jar : loader.jars(problems)) {
            Stat s = Stat.of(jar);
            seen.put(jar, s);
            Bundle b = install(ctx, jar, s, problems);
            if (b != null) {
                managed.put(jar, new Managed(b, s));
            } else {
                passed.put(jar, s); // said once, in the problems returned
            }
        }
        problems.addAll(loader.startAll(ctx, bundles()));
        thread = new Thread(() -> watch(ctx, verbose), "patchbay-hot-deploy");
        thread.setDaemon(true);
        thread.start();
        return problems;
    }

    /** Stops watching (before the framework stops); waits for a poll in progress. */
    void stop() {
        stopping = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void watch(BundleContext ctx, boolean verbose) {
        while (!stopping) {
            try {
                Thread.sleep(POLL_MS);
                poll(ctx, verbose);
            } catch (InterruptedException e) {
                return;
            } catch (IllegalStateException e) {
                return; // the framework is stopping
            } catch (RuntimeException e) {
                say("error: " + e);
            }
        }
    }

    /** One look at the folder: what went, what came or changed and kept still for a poll; then a refresh and the starts. */
    synchronized void poll(BundleContext ctx, boolean verbose) throws InterruptedException {
        List<Path> jars = loader.jars(new ArrayList<>());
        Stat dir = Stat.of(bundlesDir);
        if (!java.util.Objects.equals(dir, folder)) {
            passed.clear();
            folder = dir;
        }
        Map<Path, Stat> now = new HashMap<>();
        jars.forEach(j -> now.put(j, Stat.of(j)));
        List<Bundle> changed = new ArrayList<>();
        for (Path gone : new ArrayList<>(managed.keySet())) {
            if (!now.containsKey(gone)) {
                Bundle b = managed.remove(gone).bundle();
                try {
                    b.uninstall();
                    changed.add(b);
                    say("uninstalled bundle " + b.getSymbolicName() + " " + b.getVersion() + " (bundles/" + gone.getFileName() + " was removed)");
                } catch (BundleException | IllegalStateException e) {
                    say("error: cannot uninstall bundle " + b.getSymbolicName() + ": " + e.getMessage());
                }
                passed.clear(); // a copy refused because of it may be installed now
            }
        }
        passed.keySet().retainAll(now.keySet());
        List<Bundle> added = new ArrayList<>();
        for (Path jar : jars) {
            Stat s = now.get(jar);
            if (s == null || !s.equals(seen.get(jar))) {
                continue; // new or still changing: taken once it kept still for a poll
            }
            Managed m = managed.get(jar);
            if ((m != null && m.stat().equals(s)) || s.equals(passed.get(jar))) {
                continue;
            }
            List<String> problems = new ArrayList<>();
            if (m == null) {
                Bundle b = install(ctx, jar, s, problems);
                if (b != null) {
                    managed.put(jar, new Managed(b, s));
                    added.add(b);
                    say("installed bundle " + b.getSymbolicName() + " " + b.getVersion() + " from bundles/" + jar.getFileName());
                }
            } else if (update(jar, m, s, problems)) {
                changed.add(m.bundle());
            }
            problems.forEach(p -> say("warning: " + p));
            if (!problems.isEmpty()) {
                passed.put(jar, s);
            }
        }
        seen.clear();
        seen.putAll(now);
        if (!changed.isEmpty()) {
            loader.refresh(ctx, changed);
        }
        if (!changed.isEmpty() || !added.isEmpty()) {
            for (String p : loader.startAll(ctx, bundles())) {
                if (verbose) {
                    say("warning: " + p);
                }
            }
        }
    }

    private Bundle install(BundleContext ctx, Path jar, Stat s, List<String> problems) {
        String why = JarTrust.refusal(jar);
        if (why != null) {
            problems.add(JarTrust.refused(jar, why));
            return null;
        }
        String twin = loader.installedElsewhere(ctx, jar);
        if (twin != null) {
            problems.add("bundles/" + jar.getFileName() + " is not installed: " + twin);
            return null;
        }
        try (InputStream in = Files.newInputStream(jar)) {
            return ctx.installBundle(jar.toUri().toString(), in);
        } catch (IOException | BundleException e) {
            problems.add("cannot install bundles/" + jar.getFileName() + ": " + e.getMessage());
            return null;
        }
    }

    private boolean update(Path jar, Managed m, Stat s, List<String> problems) {
        String why = JarTrust.refusal(jar);
        if (why != null) {
            problems.add(JarTrust.refused(jar, why) + "; bundle " + m.bundle().getSymbolicName() + " keeps what was installed before");
            return false;
        }
        try (InputStream in = Files.newInputStream(jar)) {
            m.bundle().update(in);
            managed.put(jar, new Managed(m.bundle(), s));
            say("updated bundle " + m.bundle().getSymbolicName() + " " + m.bundle().getVersion() + " from bundles/" + jar.getFileName());
            return true;
        } catch (IOException | BundleException | IllegalStateException e) {
            problems.add("cannot update bundle " + m.bundle().getSymbolicName() + " from bundles/" + jar.getFileName() + ": " + e.getMessage());
            return false;
        }
    }

    private List<Bundle> bundles() {
        List<Bundle> out = new ArrayList<>();
        managed.values().forEach(m -> out.add(m.bundle()));
        return out;
    }

    private void say(String line) {
        PrintWriter w = log;
        if (w != null) {
            w.println("patchbay: hot deploy: " + line);
            w.flush();
        }
    }

    /** The file a bundle location names ({@code file:/...} or {@code reference:file:/...}), or null for other locations. */
    static Path pathOf(String location) {
        try {
            // the CLI installs "reference:file:..." (Felix reads the jar where it lies instead of copying it)
            URI uri = new URI(location.startsWith("reference:") ? location.substring("reference:".length()) : location).normalize();
            return "file".equals(uri.getScheme()) ? Path.of(uri).toAbsolutePath().normalize() : null;
        } catch (Exception e) {
            return null;
        }
    }
}
