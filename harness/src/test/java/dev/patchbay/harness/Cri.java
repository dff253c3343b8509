package dev.patchbay.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * containerd 1.6 (Debian's) with its CRI plugin, driven as kubelet drives it, entirely inside a {@link Holder}: its
 * own configuration, root, state, socket and CNI folders ({@code bin_dir}: a folder of links made here, one a CNI
 * type; {@code conf_dir}: {@link #confDir}, or {@code conf_template} when given, which containerd renders there on
 * {@code UpdateRuntimeConfig}); the runtime runc; the sandbox image {@value #IMAGE} made from busybox-static (its
 * command a long sleep: the pause process), imported into the CRI's ctr namespace {@value #NAMESPACE} with
 * {@code ctr}, nothing pulled. Pods' cgroups go under {@value #CGROUP_PARENT} (removed by {@link #close}); their
 * network namespaces are containerd's, under the holder's {@code /run/netns}.
 *
 * <p>The CRI client is {@code cri.py} (a resource beside this class, Debian's python3-grpcio, the messages encoded
 * from the protocol's field numbers): one process for the whole run, one JSON request and reply a line
 * ({@link #call}).
 */
public final class Cri implements AutoCloseable {
    public static final String IMAGE = "localhost/bb:1";
    public static final String NAMESPACE = "k8s.io";
    public static final String CGROUP_PARENT = "/pbcri";
    static final String PYTHON = "/usr/bin/python3";
    private static final List<String> TOOLS = List.of("/usr/bin/containerd", "/usr/bin/containerd-shim-runc-v2", "/usr/bin/ctr",
            "/usr/sbin/runc", "/bin/busybox", "/usr/bin/nsenter", "/usr/bin/unshare", "/usr/bin/tar", PYTHON);

    private final Holder holder;
    private final Path socket;
    private final Path confDir;
    private ContainerdProcess containerd;
    private Process client;
    private OutputStream toClient;
    private BufferedReader fromClient;

    /** Why the CRI cannot run here (a tool or python3-grpcio missing), or null. */
    public static String missing() {
        List<String> absent = ContainerdProcess.absent(TOOLS);
        if (absent.isEmpty() && Holder.exec(List.of(PYTHON, "-c", "import grpc"), null, 30).code() != 0) {
            absent.add("python3-grpcio");
        }
        return absent.isEmpty() ? null : "not installed: " + String.join(", ", absent)
                + " (apt-get install containerd runc busybox-static python3-grpcio)";
    }

    /**
     * Makes the holder, links {@code executables} (CNI type -&gt; program) into the bin_dir, starts containerd with
     * the CRI plugin and {@code confTemplate} (null: none), imports the image and starts the client. On failure,
     * everything made so far is removed.
     */
    public Cri(Path base, Map<String, Path> executables, String confTemplate) throws IOException, InterruptedException {
        this.holder = new Holder(base, List.of("/run", "/var/lib", "/dev/shm"),
                List.of("-name", CGROUP_PARENT.substring(1), "-o", "-path", "*" + CGROUP_PARENT + "/*"));
        this.socket = base.resolve("containerd.sock");
        this.confDir = base.resolve("net.d");
        try {
            Path bin = base.resolve("cni-bin");
            Files.createDirectories(bin);
            Files.createDirectories(confDir);
            for (Map.Entry<String, Path> e : executables.entrySet()) {
                Files.createSymbolicLink(bin.resolve(e.getKey()), e.getValue().toAbsolutePath());
            }
            String cri = "[plugins.\"io.containerd.grpc.v1.cri\"";
            List<String> conf = new ArrayList<>(List.of(
                    "version = 2",
                    "root = \"" + base.resolve("root") + "\"",
                    "state = \"/run/containerd\"",
                    "[grpc]",
                    "  address = \"" + socket + "\"",
                    cri + "]",
                    "  sandbox_image = \"" + IMAGE + "\"",
                    "  disable_apparmor = true",
                    "  # no CAP_SYS_RESOURCE here: the sandbox's oom_score_adj of -998 cannot be set",
                    "  restrict_oom_score_adj = true",
                    "  stream_server_address = \"127.0.0.1\"",
                    "  stream_server_port = \"0\"",
                    cri + ".containerd]",
                    "  default_runtime_name = \"runc\"",
                    cri + ".containerd.runtimes.runc]",
                    "  runtime_type = \"io.containerd.runc.v2\"",
                    cri + ".containerd.runtimes.runc.options]",
                    "  BinaryName = \"/usr/sbin/runc\"",
                    "  SystemdCgroup = false",
                    cri + ".cni]",
                    "  bin_dir = \"" + bin + "\"",
                    "  conf_dir = \"" + confDir + "\"",
                    "  max_conf_num = 1"));
            if (confTemplate != null) {
                Path template = base.resolve("cni-template.conflist.tmpl");
                Files.writeString(template, confTemplate);
                conf.add("  conf_template = \"" + template + "\"");
            }
            conf.add("");
            Path config = base.resolve("containerd.toml");
            Files.writeString(config, String.join("\n", conf));
            // the CNI plugins get containerd's environment: a plain one
            containerd = new ContainerdProcess(holder, config, socket,
                    Map.of("PATH", Holder.PATH, "HOME", "/root", "PATCHBAY_DAEMON_AUTOSTART", Holder.AUTOSTART ? "on" : "off"));
            ctr("image", "import", BusyboxImage.ociArchive(base, IMAGE, "[\"/bin/sleep\",\"2147483647\"]").toString()).ok("ctr image import");
            Path script = base.resolve("cri.py");
            try (InputStream in = Cri.class.getResourceAsStream("cri.py")) {
                Files.copy(in, script);
            }
            client = new ProcessBuilder(PYTHON, script.toString(), socket.toString())
                    .redirectError(base.resolve("cri-client.log").toFile()).start();
            toClient = client.getOutputStream();
            fromClient = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
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

    /** The CNI conf_dir containerd reads (and renders its conf_template into). */
    public Path confDir() {
        return confDir;
    }

    /** containerd's log so far. */
    public String log() {
        return containerd.log();
    }

    /**
     * One CRI call: {@code request} is a JSON object with {@code method} and the arguments {@code cri.py} reads; the
     * reply is its JSON line ({@code ok}, {@code ms}, the response's fields; or {@code code} and {@code error}).
     */
    public synchronized String call(String request) throws IOException {
        if (request.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a request is one line: " + request);
        }
        toClient.write((request + "\n").getBytes(StandardCharsets.UTF_8));
        toClient.flush();
        String reply = fromClient.readLine();
        if (reply == null) {
            throw new IOException("the CRI client exited: " + Files.readString(holder.base().resolve("cri-client.log")));
        }
        return reply;
    }

    /** {@code ctr -n k8s.io ARGS} against this containerd, in the holder. */
    public Holder.Result ctr(String... args) {
        return containerd.ctr(NAMESPACE, Map.of(), args);
    }

    /** The pid of a sandbox's pause process (its task), for commands in the pod's network namespace. */
    public long pausePid(String sandboxId) {
        for (String line : ctr("task", "ls").ok("ctr task ls").out().split("\n")) {
            String[] w = line.trim().split("\\s+");
            if (w.length >= 2 && w[0].equals(sandboxId)) {
                return Long.parseLong(w[1]);
            }
        }
        throw new AssertionError("no task for sandbox " + sandboxId + ": " + ctr("task", "ls").out());
    }

    /** {@code argv} in the network namespace of process {@code pid} (a pod's), inside the holder's mount namespace. */
    public Holder.Result inPod(long pid, byte[] stdin, String... argv) {
        List<String> full = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid), "-n", "--"));
        full.addAll(List.of(argv));
        return Holder.exec(holder.nsenter(full), stdin, 60);
    }

    /**
     * Stops the client, then the pods still there (Stop and Remove through the CRI: their DELs run now, so a daemon
     * must still serve them), then containerd, then closes the holder. Throws, after doing all of it, if something
     * could not be removed.
     */
    @Override
    public void close() {
        List<String> problems = new ArrayList<>();
        if (containerd != null && containerd.alive()) {
            if (client != null && client.isAlive()) {
                for (String id : ctr("containers", "ls", "-q").out().split("\n")) {
                    // sandboxes and their containers: a pod's containers go with its Stop + Remove; ids are hex
                    String pod = id.strip();
                    if (!pod.isEmpty() && pod.matches("[0-9a-f]{64}")) {
                        try {
                            call("{\"method\":\"StopPodSandbox\",\"podSandboxId\":\"" + pod + "\"}");
                            call("{\"method\":\"RemovePodSandbox\",\"podSandboxId\":\"" + pod + "\"}");
                        } catch (IOException e) {
                            problems.add("removing pod " + pod + ": " + e.getMessage());
                        }
                    }
                }
            }
            containerd.stop();
        }
        if (client != null) {
            client.destroy();
        }
        try {
            holder.close();
        } catch (AssertionError e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("CRI clean-up: " + String.join("; ", problems));
        }
    }
}
