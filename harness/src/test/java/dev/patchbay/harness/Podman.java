package dev.patchbay.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rootful Podman 4.3 with its CNI backend, entirely inside namespaces of its own: the set-up of
 * {@code ../shared/podman/podman-cni.sh}, from Java, argv only (no shell line anywhere).
 *
 * <p>Podman, the Patchbay daemon and every check run in a {@link Holder}'s network and mount namespaces, so a
 * container namespace Podman bind-mounts under {@code /run/netns} is seen by the later commands (stop, the cleanup
 * process's DEL) and by the daemon that serves the CNI calls; {@code /run}, {@code /var/lib} and {@code /dev/shm}
 * are empty tmpfs there (libcni's cache, host-local's data, crun's and Podman's run files, Podman's shm lock, the
 * daemon's socket and its default state folder: Podman's cleanup process calls DEL with almost no environment).
 *
 * Podman's configuration is selected by {@code CONTAINERS_CONF}/{@code CONTAINERS_STORAGE_CONF} (nothing in /etc):
 * one storage (overlay, under the test's folder) and one {@code containers.conf} per <em>profile</em>, each with its
 * own {@code cni_plugin_dirs} and {@code network_config_dir} (Podman takes a plugin type from the first folder that
 * holds it, so a network on the reference plugins needs a configuration whose only folder is {@code /usr/lib/cni}).
 * The image {@code localhost/bb:1} is busybox-static imported from a tar, no registry.
 *
 * <p>The namespaces, mounts and clean-up are a {@link Holder}'s.
 */
public final class Podman implements AutoCloseable {
    public static final String IMAGE = "localhost/bb:1";
    static final String PATH = Holder.PATH;
    public static final boolean AUTOSTART = Holder.AUTOSTART;
    private static final List<String> TOOLS = List.of("/usr/bin/podman", "/usr/bin/crun", "/bin/busybox", "/usr/bin/nsenter", "/usr/bin/unshare",
            "/usr/bin/tar");

    private final Path base;
    private final Map<String, Path> profiles = new LinkedHashMap<>();
    private final Holder holder;

    /** Why Podman cannot run here (a tool missing), or null. */
    public static String missing() {
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
    public Podman(Path base, Map<String, List<Path>> pluginDirs) throws IOException, InterruptedException {
        this.base = base;
        Files.createDirectories(base.resolve("storage"));
        Files.createDirectories(base.resolve("runroot"));
        Files.createDirectories(base.resolve("tmp"));
        // Podman's cgroups: libpod_parent and below
        this.holder = new Holder(base, List.of("/run", "/var/lib", "/dev/shm"), List.of("-name", "libpod*", "-o", "-path", "*/libpod_parent/*"));
        try {
            for (Map.Entry<String, List<Path>> p : pluginDirs.entrySet()) {
                profiles.put(p.getKey(), writeConf(p.getKey(), p.getValue()));
            }
            Files.writeString(base.resolve("storage.conf"), "[storage]\ndriver = \"overlay\"\nrunroot = \"" + base.resolve("runroot")
                    + "\"\ngraphroot = \"" + base.resolve("storage") + "\"\n");
            importImage(profiles.keySet().iterator().next());
        } catch (IOException | RuntimeException | Error e) {
            try {
                close();
            } catch (RuntimeException | Error suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
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

    /** {@link BusyboxImage}'s root file system imported as {@link #IMAGE}. */
    private void importImage(String profile) throws IOException {
        Path tar = BusyboxImage.rootfsTar(base);
        podman(profile, "import", "--change", "CMD [\"/bin/sh\"]", "--change", "ENV PATH=/bin", tar.toString(), IMAGE).ok("podman import");
    }

    /** The network_config_dir of a profile (where {@code podman network create} writes its conflist). */
    public Path networkConfigDir(String profile) {
        return base.resolve("net.d-" + profile);
    }

    /** {@code podman ARGS} with the profile's containers.conf, in the holder's namespaces. */
    public Holder.Result podman(String profile, String... args) {
        return podmanIn(profile, null, args);
    }

    /** {@code podman ARGS} with {@code stdin}, e.g. {@code exec -i}. */
    public Holder.Result podmanIn(String profile, byte[] stdin, String... args) {
        Path conf = profiles.get(profile);
        if (conf == null) {
            throw new IllegalArgumentException("no Podman profile " + profile + " (have " + profiles.keySet() + ")");
        }
        List<String> argv = new ArrayList<>(List.of("/usr/bin/podman"));
        argv.addAll(List.of(args));
        return Holder.exec(holder.nsenter(argv), stdin, 180, "CONTAINERS_CONF", conf.toString(), "CONTAINERS_STORAGE_CONF", base.resolve("storage.conf").toString());
    }

    /** A path of the holder's mount namespace, as this JVM can read it. */
    public Path inside(String absolute) {
        return holder.inside(absolute);
    }

    /** A command in the holder's network and mount namespaces, with a runtime's plain environment. */
    public Holder.Result in(String... argv) {
        return holder.in(argv);
    }

    /** A command in the holder's namespaces with {@code stdin}. */
    public Holder.Result inWithInput(byte[] stdin, String... argv) {
        return holder.inWithInput(stdin, argv);
    }

    /** {@code bin/patchbay daemon} of {@code dist} in the holder (see {@link Holder#startDaemon}). */
    public Process startDaemon(Path dist, Path log) throws IOException, InterruptedException {
        return holder.startDaemon(dist, log);
    }

    /** Removes every container of every profile (their DELs run now, so a daemon must still serve them), then the holder. */
    @Override
    public void close() {
        List<String> problems = new ArrayList<>();
        if (holder != null) {
            for (String profile : profiles.keySet()) {
                Holder.Result r = podman(profile, "rm", "-f", "-t", "0", "-a");
                if (r.code() != 0) {
                    problems.add("podman rm -a (" + profile + "): " + r.err().strip());
                }
            }
            try {
                holder.close();
            } catch (AssertionError e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("Podman clean-up: " + String.join("; ", problems));
        }
    }
}
