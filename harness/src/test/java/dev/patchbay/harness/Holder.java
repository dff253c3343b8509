package dev.patchbay.harness;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway host for a container runtime (Podman, containerd): a <em>holder</em> process ({@code unshare --net
 * --mount --propagation private sleep infinity}) owns a network namespace and a mount namespace; the runtime, the
 * Patchbay daemon and every check run in both through {@code nsenter -t HOLDER -m -n}, so a container namespace the
 * runtime bind-mounts under {@code /run/netns} is seen by later commands and by the daemon serving the CNI calls. In
 * that mount namespace:
 * <ul>
 * <li>{@code /sys} is a sysfs of the holder's network namespace, with the cgroup v1 hierarchies the kernel has (or
 *     cgroup2 alone when it has none bound to v1) under a tmpfs on {@code /sys/fs/cgroup}: never cgroup2 next to v1
 *     ones, as crun refuses hybrid mode;</li>
 * <li>the folders the caller names ({@code /run}, {@code /var/lib}, {@code /dev/shm}, a runtime's CNI folders...) are
 *     empty tmpfs: libcni's cache, host-local's data, the runtime's run files, the Patchbay daemon's socket
 *     ({@code /run/patchbay}) and state ({@code /var/lib/patchbay}: its defaults) live there, and vanish with the
 *     holder.</li>
 * </ul>
 * What this leaves on the machine: the containers' cgroups in the shared v1 hierarchies, removed by {@link #close}
 * (only those that appeared during the run and match the runtime's names), which then reports anything it could not
 * remove.
 */
public final class Holder implements AutoCloseable {
    static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /**
     * -Dpatchbay.podman.autostart=true: no daemon started by hand, the first CNI call starts one (killed by
     * stopDaemons). Otherwise a runtime's CNI calls start none, unless a caller's environment says so.
     */
    static final boolean AUTOSTART = Boolean.getBoolean("patchbay.podman.autostart");

    /** A whole process's outcome and its wall time. */
    public record Result(int code, String out, String err, double ms) {
        public Result ok(String what) {
            if (code != 0) {
                throw new AssertionError(what + " exited " + code + ": " + err.strip() + " " + out.strip());
            }
            return this;
        }
    }

    private final Path base;
    private final Process holder;
    private final long pid;
    private final List<String> cgroupMatch;
    private final List<String> cgroupRoots = new ArrayList<>();
    private final Set<String> cgroupsBefore = new TreeSet<>();
    private final List<Process> daemons = new ArrayList<>();
    private final Thread stopper = new Thread(this::stop, "holder-stop");

    /**
     * Starts the holder, mounts sysfs, the cgroup hierarchies and an empty tmpfs on each of {@code tmpfs}.
     * {@code cgroupMatch}: the {@code find} tests that pick the runtime's cgroup folders, removed on close. On
     * failure, everything made so far is removed.
     */
    public Holder(Path base, List<String> tmpfs, List<String> cgroupMatch) throws IOException, InterruptedException {
        this.base = base;
        this.cgroupMatch = List.copyOf(cgroupMatch);
        Files.createDirectories(base);
        this.holder = new ProcessBuilder("unshare", "--net", "--mount", "--propagation", "private", "--", "sleep", "infinity")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        this.pid = holder.pid(); // unshare execs sleep: the same process
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            awaitOwnNamespaces();
            mounts(tmpfs);
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            try {
                close();
            } catch (RuntimeException | Error suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The test's folder (deleted on close). */
    public Path base() {
        return base;
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

    private void mounts(List<String> tmpfs) throws IOException {
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
        for (String dir : tmpfs) {
            in("mount", "-t", "tmpfs", "-o", dir.equals("/dev/shm") ? "mode=1777" : "mode=755", "tmpfs", dir).ok("tmpfs on " + dir);
        }
    }

    /** Every cgroup folder of the runtime's making (those {@link #cgroupMatch} finds) in the hierarchies mounted here. */
    private Set<String> cgroupDirs() {
        Set<String> dirs = new TreeSet<>();
        for (String root : cgroupRoots) {
            List<String> find = new ArrayList<>(List.of("find", root, "-maxdepth", "4", "-type", "d", "("));
            find.addAll(cgroupMatch);
            find.add(")");
            Result r = in(find.toArray(String[]::new));
            for (String l : r.out().split("\n")) {
                if (!l.isBlank()) {
                    dirs.add(l.strip());
                }
            }
        }
        return dirs;
    }

    /** A path of the holder's mount namespace, as this JVM can read it ({@code /proc/HOLDER/root/...}). */
    public Path inside(String absolute) {
        return Path.of("/proc/" + pid + "/root" + absolute);
    }

    /** A command in the holder's network and mount namespaces, with a runtime's plain environment. */
    public Result in(String... argv) {
        return exec(nsenter(List.of(argv)), null, 120);
    }

    /** A command in the holder's namespaces with {@code stdin}. */
    public Result inWithInput(byte[] stdin, String... argv) {
        return exec(nsenter(List.of(argv)), stdin, 120);
    }

    /** {@code argv} as run in the holder's network and mount namespaces (nsenter without --pid execs it). */
    public List<String> nsenter(List<String> argv) {
        List<String> full = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid), "-m", "-n", "--wd=" + base));
        full.add("--");
        full.addAll(argv);
        return full;
    }

    /**
     * Starts {@code bin/patchbay daemon} of {@code dist} in the holder's namespaces, with its default run and state
     * directories (the tmpfs of the holder), and waits for its socket. Stopped by {@link #stopDaemons} or {@link #close}.
     */
    public Process startDaemon(Path dist, Path log) throws IOException, InterruptedException {
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

    /** SIGTERM to every daemon started here, by hand or by itself (its shutdown hook removes its socket and cache). */
    public void stopDaemons() {
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
    public static Result exec(List<String> argv, byte[] stdin, int timeoutSeconds, String... env) {
        try {
            File out = File.createTempFile("pb-holder-out", ".txt");
            File err = File.createTempFile("pb-holder-err", ".txt");
            try {
                ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(out).redirectError(err);
                pb.environment().clear();
                pb.environment().put("PATH", PATH);
                pb.environment().put("HOME", "/root");
                pb.environment().put("TMPDIR", System.getProperty("java.io.tmpdir"));
                // a runtime hands its environment to the plugins: a daemon starts itself only when asked (-Dpatchbay.podman.autostart)
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
     * Stops the daemons, removes the cgroups that appeared during the run, ends the holder (its mounts go with its
     * mount namespace) and deletes the folder. Throws, after doing all of it, if something could not be removed. The
     * runtime removes its containers before this.
     */
    @Override
    public void close() {
        List<String> problems = new ArrayList<>();
        if (holder.isAlive()) {
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
            throw new AssertionError("holder clean-up: " + String.join("; ", problems));
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
