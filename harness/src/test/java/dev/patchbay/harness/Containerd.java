package dev.patchbay.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * containerd 1.6 (Debian's) with runc, entirely inside a {@link Holder}: its own configuration, root, state and
 * socket; no CRI plugin. {@code ctr run --cni} runs the CNI plugins itself, in the ctr process, with its own
 * environment, from the folders go-cni fixes for it ({@code /opt/cni/bin}, and the first file of
 * {@code /etc/cni/net.d}): both are empty tmpfs in the holder, filled by {@link #useCni}. The image
 * {@value #IMAGE} is {@link BusyboxImage}'s OCI archive, imported, nothing pulled; containers live in the ctr
 * namespace {@value #NAMESPACE}, whose cgroups ({@code /pbctr/ID}) {@link #close} removes.
 */
public final class Containerd implements AutoCloseable {
    public static final String IMAGE = "localhost/bb:1";
    static final String NAMESPACE = "pbctr";
    private static final List<String> TOOLS = List.of("/usr/bin/containerd", "/usr/bin/ctr", "/usr/sbin/runc", "/bin/busybox",
            "/usr/bin/nsenter", "/usr/bin/unshare", "/usr/bin/tar");

    private final Holder holder;
    private final Path socket;
    private ContainerdProcess containerd;

    /** Why containerd cannot run here (a tool missing), or null. */
    public static String missing() {
        List<String> absent = ContainerdProcess.absent(TOOLS);
        return absent.isEmpty() ? null : "not installed: " + String.join(", ", absent) + " (apt-get install containerd busybox-static)";
    }

    /** Makes the holder, starts containerd in it and imports the image. On failure, everything made so far is removed. */
    public Containerd(Path base) throws IOException, InterruptedException {
        this.holder = new Holder(base, List.of("/run", "/var/lib", "/dev/shm", "/etc/cni", "/opt"),
                List.of("-name", NAMESPACE, "-o", "-path", "*/" + NAMESPACE + "/*"));
        this.socket = base.resolve("containerd.sock");
        try {
            holder.in("mkdir", "-p", "/etc/cni/net.d", "/opt/cni/bin").ok("the CNI folders");
            Path config = base.resolve("containerd.toml");
            Files.writeString(config, String.join("\n",
                    "version = 2",
                    "root = \"" + base.resolve("root") + "\"",
                    "state = \"/run/containerd\"",
                    "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]",
                    "[grpc]",
                    "  address = \"" + socket + "\"",
                    ""));
            containerd = new ContainerdProcess(holder, config, socket, null);
            ctr(Map.of(), "image", "import", BusyboxImage.ociArchive(base, IMAGE).toString()).ok("ctr image import");
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            try {
                close();
            } catch (RuntimeException | Error suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The holder this containerd runs in. */
    public Holder holder() {
        return holder;
    }

    /**
     * The network {@code ctr run --cni} uses from now on: {@code conflist} as the only file of /etc/cni/net.d, and
     * /opt/cni/bin holding exactly {@code executables} (type -&gt; program, as symbolic links).
     */
    public void useCni(String conflist, Map<String, Path> executables) throws IOException {
        for (String dir : List.of("/etc/cni/net.d", "/opt/cni/bin")) {
            try (Stream<Path> files = Files.list(holder.inside(dir))) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
        }
        Files.writeString(holder.inside("/etc/cni/net.d/10-net.conflist"), conflist);
        for (Map.Entry<String, Path> e : executables.entrySet()) {
            Files.createSymbolicLink(holder.inside("/opt/cni/bin/" + e.getKey()), e.getValue().toAbsolutePath());
        }
    }

    /** {@code ctr ARGS} against this containerd and namespace, in the holder, with {@code env} added to a plain environment. */
    public Holder.Result ctr(Map<String, String> env, String... args) {
        return containerd.ctr(NAMESPACE, env, args);
    }

    /**
     * Removes the namespace's containers (their tasks killed first), stops containerd, then closes the holder.
     * Throws, after doing all of it, if something could not be removed.
     */
    @Override
    public void close() {
        List<String> problems = new ArrayList<>();
        if (containerd != null && containerd.alive()) {
            for (String id : ctr(Map.of(), "containers", "ls", "-q").out().split("\n")) {
                if (!id.isBlank()) {
                    ctr(Map.of(), "task", "kill", "-s", "SIGKILL", id.strip());
                    ctr(Map.of(), "task", "rm", "-f", id.strip());
                    Holder.Result r = ctr(Map.of(), "containers", "rm", id.strip());
                    if (r.code() != 0) {
                        problems.add("ctr containers rm " + id.strip() + ": " + r.err().strip());
                    }
                }
            }
            containerd.stop();
        }
        try {
            holder.close();
        } catch (AssertionError e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("containerd clean-up: " + String.join("; ", problems));
        }
    }
}
