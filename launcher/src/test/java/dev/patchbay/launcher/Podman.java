package dev.patchbay.launcher;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Rootful Podman 4.3 with its CNI backend, entirely inside namespaces of its own: the set-up of
 * {@code ../shared/podman/podman-cni.sh}, from Java, argv only (no shell line anywhere).
 *
 * <p>A <em>holder</em> process ({@code unshare --net --mount --propagation private sleep infinity}) owns a network
 * namespace and a mount namespace; every Podman command, the Patchbay daemon and every check run in both through
 * {@code nsenter -t HOLDER -m -n}, so a container namespace Podman bind-mounts under {@code /run/netns} is seen by
 * the later commands (stop, the cleanup process's DEL) and by the daemon that serves the CNI calls. In that mount
 * namespace:
 * <ul>
 * <li>{@code /sys} is a sysfs of the holder's network namespace, with the cgroup v1 hierarchies the kernel has
 *     (or cgroup2 alone when it has none bound to v1) under a tmpfs on {@code /sys/fs/cgroup}: never cgroup2 next
 *     to v1 ones, as crun refuses hybrid mode (the shared harness's obstacles 2 and 3);</li>
 * <li>{@code /run}, {@code /var/lib} and {@code /dev/shm} are empty tmpfs: libcni's cache ({@code /var/lib/cni}),
 *     host-local's default data directory, crun's and Podman's run files, Podman's shm lock, the Patchbay daemon's
 *     socket ({@code /run/patchbay}) and state directory ({@code /var/lib/patchbay}: its defaults, since Podman's
 *     cleanup process calls DEL with almost no environment) live there, and vanish with the holder. The shared
 *     harness wrote these into the machine's own folders and removed them afterwards.</li>
 * </ul>
 * Podman's configuration is selected by {@code CONTAINERS_CONF}/{@code CONTAINERS_STORAGE_CONF} (nothing in /etc):
 * one storage (overlay, under the test's folder) and one {@code containers.conf} per <em>profile</em>, each with its
 * own {@code cni_plugin_dirs} and {@code network_config_dir} (Podman takes a plugin type from the first folder that
 * holds it, so a network on the reference plugins needs a configuration whose only folder is {@code /usr/lib/cni}).
 * The image {@code localhost/bb:1} is busybox-static imported from a tar, no registry.
 *
 * <p>What this leaves on the machine: the containers' cgroups in the shared v1 hierarchies, removed by {@link #close}
 * (only those that appeared during the run), which then reports anything it could not remove.
 */
final class Podman implements AutoCloseable {
    static final String IMAGE = "localhost/bb:1";
    static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final List<String> TOOLS = List.of("/usr/bin/podman", "/usr/bin/crun", "/bin/busybox", "/usr/bin/nsenter", "/usr/bin/unshare",
            "/usr/bin/tar");

    record Result(int code, String out, String err, double ms) {
        Result ok(String what) {
            if (code != 0) {
                throw new AssertionError(what + " exited " + code + ": " + err.strip() + " " + out.strip());
            }
            return this;
        }
    }

    private final Path base;
    private final Map<String, Path> profiles = new LinkedHashMap<>();
    private final Process holder;
    private final long pid;
    private final List<String> cgroupRoots = new ArrayList<>();
    private final Set<String> cgroupsBefore = new TreeSet<>();
    private final List<Process> daemons = new ArrayList<>();
    private final Thread stopper = new Thread(this::stop, "podman-holder-stop");

    /** Why Podman cannot run here (a tool missing), or null. */
    static String missing() {
        List<String> absent = new ArrayList<>();
        for (String t : TOOLS) {
            if (!Files.isExecutable(Path.of(t))) {
                absent.add(t);
            }
        }
        return absent.isEmpty() ? null : "not installed: " + String.join(", ", absent)
                + " (apt-get install podman crun containernetworking-plugins busybox-static uidmap)";
    }

    /**
     * Makes the holder and its mounts, writes one containers.conf per profile (name -&gt; cni_plugin_dirs) and
     * imports the image. On failure, everything made so far is removed.
     */
    Podman(Path base, Map<String, List<Path>> pluginDirs) throws IOException, InterruptedException {
        this.base = base;
        Files.createDirectories(base.resolve("storage"));
        Files.createDirectories(base.resolve("runroot"));
        Files.createDirectories(base.resolve("tmp"));
        this.holder = new ProcessBuilder("unshare", "--net", "--mount", "--propagation", "private", "--", "sleep", "infinity")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        this.pid = holder.pid(); // unshare execs sleep: the same process
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            awaitOwnNamespaces();
            mounts();
            for (Map.Entry<String, List<Path>> p : pluginDirs.entrySet()) {
                profiles.put(p.getKey(), writeConf(p.getKey(), p.getValue()));
            }
            Files.writeString(base.resolve("storage.conf"), "[storage]\ndriver = \"overlay\"\nrunroot = \"" + base.resolve("runroot")
                    + "\"\ngraphroot = \"" + base.resolve("storage") + "\"\n");
            importImage(profiles.keySet().iterator().next());
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            try {
                close();
            } catch (RuntimeException | Error suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private void awaitOwnNamespaces() throws IOException, InterruptedException {
        Path mine = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt"));
        for (int i = 0; i < 200; i++) {
            try {
                if (!Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/mnt")).equals(mine)
                        && Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString().endsWith("sleep")) {
                    return;
                }
            } catch (IOException e) {
                // not there yet
            }
            if (!holder.isAlive()) {
                throw new IllegalStateException("the holder (unshare --net --mount) exited with " + holder.exitValue());
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("the holder did not get namespaces of its own");
    }

    private void mounts() throws IOException {
        in("ip", "link", "set", "lo", "up").ok("lo up in the holder");
        in("mount", "-t", "sysfs", "sysfs", "/sys").ok("sysfs of the holder's network namespace");
        in("mount", "-t", "tmpfs", "-o", "mode=755", "tmpfs", "/sys/fs/cgroup").ok("tmpfs on /sys/fs/cgroup");
        List<String> v1 = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/cgroups"))) { // subsys_name hierarchy num_cgroups enabled
            String[] w = line.trim().split("\\s+");
            if (w.length == 4 && !w[0].startsWith("#") && !w[1].equals("0") && w[3].equals("1")) {
                v1.add(w[0]);
            }
        }
        if (v1.isEmpty()) { // a pure cgroup v2 machine
            in("mount", "-t", "cgroup2", "cgroup2", "/sys/fs/cgroup").ok("cgroup2");
            cgroupRoots.add("/sys/fs/cgroup");
        } else {
            for (String c : v1) {
                in("mkdir", "-p", "/sys/fs/cgroup/" + c).ok("mkdir");
                in("mount", "-t", "cgroup", "-o", c, "cgroup", "/sys/fs/cgroup/" + c).ok("cgroup v1 " + c);
                cgroupRoots.add("/sys/fs/cgroup/" + c);
            }
            in("mkdir", "-p", "/sys/fs/cgroup/systemd").ok("mkdir");
            in("mount", "-t", "cgroup", "-o", "none,name=systemd", "cgroup", "/sys/fs/cgroup/systemd").ok("cgroup v1 name=systemd");
            cgroupRoots.add("/sys/fs/cgroup/systemd");
        }
        cgroupsBefore.addAll(cgroupDirs());
        in("mount", "-t", "tmpfs", "-o", "mode=755", "tmpfs", "/run").ok("tmpfs on /run");
        in("mount", "-t", "tmpfs", "-o", "mode=755", "tmpfs", "/var/lib").ok("tmpfs on /var/lib");
        in("mount", "-t", "tmpfs", "-o", "mode=1777", "tmpfs", "/dev/shm").ok("tmpfs on /dev/shm");
    }

    /** Every cgroup folder of Podman's making (libpod_parent and below) in the hierarchies mounted in the holder. */
    private Set<String> cgroupDirs() {
        Set<String> dirs = new TreeSet<>();
        for (String root : cgroupRoots) {
            Result r = in("find", root, "-maxdepth", "4", "-type", "d", "(", "-name", "libpod*", "-o", "-path", "*/libpod_parent/*", ")");
            for (String l : r.out().split("\n")) {
                if (!l.isBlank()) {
                    dirs.add(l.strip());
                }
            }
        }
        return dirs;
    }

    private Path writeConf(String profile, List<Path> dirs) throws IOException {
        Path netd = base.resolve("net.d-" + profile);
        Files.createDirectories(netd);
        StringBuilder list = new StringBuilder();
        for (Path d : dirs) {
            list.append(list.length() == 0 ? "" : ", ").append('"').append(d.toAbsolutePath()).append('"');
        }
        Path conf = base.resolve("containers-" + profile + ".conf");
        Files.writeString(conf, String.join("\n",
                "[containers]",
                "log_driver = \"k8s-file\"",
                "# no CAP_SYS_RESOURCE and a hard RLIMIT_NOFILE of 20000 here: Podman's rootful default makes crun fail",
                "default_ulimits = [\"nofile=20000:20000\", \"nproc=32768:32768\"]",
                "[network]",
                "network_backend = \"cni\"",
                "cni_plugin_dirs = [" + list + "]",
                "network_config_dir = \"" + netd + "\"",
                "[engine]",
                "cgroup_manager = \"cgroupfs\"",
                "events_logger = \"file\"",
                "events_logfile_path = \"" + base.resolve("tmp/events.log") + "\"",
                "image_copy_tmp_dir = \"" + base.resolve("tmp") + "\"",
                "runtime = \"crun\"",
                "tmp_dir = \"" + base.resolve("tmp/libpod") + "\"",
                "volume_path = \"" + base.resolve("storage/volumes") + "\"",
                ""));
        return conf;
    }

    /** busybox-static and its applets, /etc/passwd and a page for httpd, as one tar imported as {@link #IMAGE}. */
    private void importImage(String profile) throws IOException {
        Path root = base.resolve("rootfs");
        for (String d : List.of("bin", "etc", "proc", "sys", "dev", "tmp", "var/www", "root")) {
            Files.createDirectories(root.resolve(d));
        }
        Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
        root.resolve("bin/busybox").toFile().setExecutable(true, false);
        for (String a : List.of("sh", "ping", "ip", "nc", "httpd", "cat", "ls", "echo", "sleep", "true", "hostname")) {
            Files.createSymbolicLink(root.resolve("bin/" + a), Path.of("busybox"));
        }
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\n");
        Files.writeString(root.resolve("var/www/index.html"), "hello from busybox httpd\n");
        Path tar = base.resolve("rootfs.tar");
        exec(List.of("tar", "-C", root.toString(), "-cf", tar.toString(), "."), null, 60).ok("tar of the image");
        podman(profile, "import", "--change", "CMD [\"/bin/sh\"]", "--change", "ENV PATH=/bin", tar.toString(), IMAGE).ok("podman import");
    }

    /** The network_config_dir of a profile (where {@code podman network create} writes its conflist). */
    Path networkConfigDir(String profile) {
        return base.resolve("net.d-" + profile);
    }

    /** A path of the holder's mount namespace, as this JVM can read it ({@code /proc/HOLDER/root/...}). */
    Path inside(String absolute) {
        return Path.of("/proc/" + pid + "/root" + absolute);
    }

    /** {@code podman ARGS} with the profile's containers.conf, in the holder's namespaces. */
    Result podman(String profile, String... args) {
        return podmanIn(profile, null, args);
    }

    /** {@code podman ARGS} with {@code stdin}, e.g. {@code exec -i}. */
    Result podmanIn(String profile, byte[] stdin, String... args) {
        Path conf = profiles.get(profile);
        if (conf == null) {
            throw new IllegalArgumentException("no Podman profile " + profile + " (have " + profiles.keySet() + ")");
        }
        List<String> argv = new ArrayList<>(List.of("/usr/bin/podman"));
        argv.addAll(List.of(args));
        return exec(nsenter(argv), stdin, 180, "CONTAINERS_CONF", conf.toString(), "CONTAINERS_STORAGE_CONF", base.resolve("storage.conf").toString());
    }

    /** A command in the holder's network and mount namespaces, with a runtime's plain environment. */
    Result in(String... argv) {
        return exec(nsenter(List.of(argv)), null, 120);
    }

    /** A command in the holder's namespaces with {@code stdin}. */
    Result inWithInput(byte[] stdin, String... argv) {
        return exec(nsenter(List.of(argv)), stdin, 120);
    }

    private List<String> nsenter(List<String> argv) {
        List<String> full = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid), "-m", "-n", "--wd=" + base));
        full.add("--");
        full.addAll(argv);
        return full;
    }

    /**
     * Starts {@code bin/patchbay daemon} of {@code dist} in the holder's namespaces, with its default run and state
     * directories (the tmpfs of the holder), and waits for its socket. Stopped by {@link #stopDaemons} or {@link #close}.
     */
    Process startDaemon(Path dist, Path log) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(nsenter(List.of(dist.toAbsolutePath().resolve("bin/patchbay").toString(), "daemon")))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().clear();
        pb.environment().put("PATH", PATH);
        pb.environment().put("HOME", "/root");
        pb.environment().put("TMPDIR", System.getProperty("java.io.tmpdir"));
        Process p = pb.start(); // nsenter without --pid execs: this is the daemon's own process
        daemons.add(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Path run = inside("/run/patchbay");
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(run)) {
                try (Stream<Path> files = Files.list(run)) {
                    if (files.anyMatch(f -> f.toString().endsWith(".sock"))) {
                        return p;
                    }
                }
            }
            if (!p.isAlive()) {
                throw new AssertionError("the daemon exited with " + p.exitValue() + ": " + Files.readString(log));
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the daemon did not open its socket in 60 s: " + Files.readString(log));
    }

    /** SIGTERM to every daemon started here (its shutdown hook removes the socket and the framework cache). */
    /** -Dpatchbay.podman.autostart=true: no daemon started by hand, the first CNI call starts one (killed by stopDaemons). */
    static final boolean AUTOSTART = Boolean.getBoolean("patchbay.podman.autostart");

    void stopDaemons() {
        try (java.util.stream.Stream<Path> procs = Files.list(Path.of("/proc"))) { // daemons that started themselves in the holder
            Path holderNet = Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net"));
            for (Path proc : procs.filter(q -> q.getFileName().toString().matches("[0-9]+")).toList()) {
                try {
                    String cmdline = Files.readString(proc.resolve("cmdline"), java.nio.charset.StandardCharsets.ISO_8859_1);
                    if (cmdline.contains("launcher.jar\0daemon\0--idle") && Files.readSymbolicLink(proc.resolve("ns/net")).equals(holderNet)) {
                        ProcessHandle.of(Long.parseLong(proc.getFileName().toString())).ifPresent(h -> {
                            h.destroy();
                            h.onExit().orTimeout(30, TimeUnit.SECONDS).join();
                        });
                    }
                } catch (IOException | RuntimeException gone) {
                    // exited meanwhile
                }
            }
        } catch (IOException e) {
            // no /proc: nothing to find
        }
        for (Process d : daemons) {
            d.destroy();
            try {
                if (!d.waitFor(30, TimeUnit.SECONDS)) {
                    d.destroyForcibly();
                    d.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                d.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        daemons.clear();
    }

    /** Runs a whole process (argv, a cleared environment plus {@code env} pairs), timed from start to exit. */
    static Result exec(List<String> argv, byte[] stdin, int timeoutSeconds, String... env) {
        try {
            File out = File.createTempFile("pb-podman-out", ".txt");
            File err = File.createTempFile("pb-podman-err", ".txt");
            try {
                ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(out).redirectError(err);
                pb.environment().clear();
                pb.environment().put("PATH", PATH);
                pb.environment().put("HOME", "/root");
                pb.environment().put("TMPDIR", System.getProperty("java.io.tmpdir"));
                // Podman hands its environment to the plugins: a daemon starts itself only when asked (-Dpatchbay.podman.autostart)
                pb.environment().put("PATCHBAY_DAEMON_AUTOSTART", AUTOSTART ? "on" : "off");
                for (int i = 0; i + 1 < env.length; i += 2) {
                    pb.environment().put(env[i], env[i + 1]);
                }
                if (stdin == null) {
                    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                }
                long t0 = System.nanoTime();
                Process p = pb.start();
                if (stdin != null) {
                    try (OutputStream o = p.getOutputStream()) {
                        o.write(stdin);
                    } catch (IOException e) {
                        // it exited without reading everything
                    }
                }
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                    return new Result(-1, Files.readString(out.toPath()), "timed out after " + timeoutSeconds + " s: " + argv + "; "
                            + Files.readString(err.toPath()), timeoutSeconds * 1000.0);
                }
                long t1 = System.nanoTime();
                return new Result(p.exitValue(), Files.readString(out.toPath()), Files.readString(err.toPath()), (t1 - t0) / 1e6);
            } finally {
                out.delete();
                err.delete();
            }
        } catch (IOException e) {
            return new Result(-1, "", "cannot run " + argv + ": " + e, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "", "interrupted", 0);
        }
    }

    /**
     * Removes every container of every profile (their DELs run now, so a daemon must still serve them), stops the
     * daemons, removes the cgroups that appeared during the run, ends the holder (its mounts go with its mount
     * namespace) and deletes the folder. Throws, after doing all of it, if something could not be removed.
     */
    @Override
    public void close() {
        List<String> problems = new ArrayList<>();
        if (holder.isAlive()) {
            for (String profile : profiles.keySet()) {
                Result r = podman(profile, "rm", "-f", "-t", "0", "-a");
                if (r.code() != 0) {
                    problems.add("podman rm -a (" + profile + "): " + r.err().strip());
                }
            }
            stopDaemons();
            Set<String> added = cgroupDirs();
            added.removeAll(cgroupsBefore);
            List<String> deepestFirst = new ArrayList<>(added);
            deepestFirst.sort(Comparator.comparingInt((String s) -> s.split("/").length).reversed());
            for (String dir : deepestFirst) {
                in("rmdir", dir);
            }
            Set<String> left = cgroupDirs();
            left.removeAll(cgroupsBefore);
            if (!left.isEmpty()) {
                problems.add("cgroups left: " + left);
            }
        }
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(stopper);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // shutting down, or closed before
        }
        deleteTree(base);
        if (Files.exists(base)) {
            problems.add("cannot delete " + base);
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("Podman clean-up: " + String.join("; ", problems));
        }
    }

    /** Ends the daemons and the holder (idempotent; also the shutdown hook of a JVM killed mid-test). */
    private void stop() {
        stopDaemons();
        holder.destroy();
        try {
            if (!holder.waitFor(10, TimeUnit.SECONDS)) {
                holder.destroyForcibly();
                holder.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            holder.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // reported by the caller when the folder is still there
        }
    }
}
