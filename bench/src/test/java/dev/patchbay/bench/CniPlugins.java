package dev.patchbay.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One folder of CNI plugin executables as a runtime calls them: {@code DIR/TYPE} as a whole process with a cleared
 * environment (a runtime's: PATH, HOME, CNI_*; plus {@code extra}, e.g. where the Patchbay daemon listens), the
 * configuration on stdin, timed from start to exit (ProcessBuilder start .. waitFor). {@code CNI_PATH} is the folder,
 * then the reference plugins' folder, as Podman passes its {@code cni_plugin_dirs}.
 */
final class CniPlugins {
    static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final String label;
    private final Path dir;
    private final String cniPath;
    private final Map<String, String> extra;

    CniPlugins(String label, Path dir, Map<String, String> extra) {
        this.label = label;
        this.dir = dir.toAbsolutePath();
        this.cniPath = this.dir.equals(CniPeer.CNI_BIN.toAbsolutePath()) ? this.dir.toString() : this.dir + ":" + CniPeer.CNI_BIN;
        this.extra = Map.copyOf(extra);
    }

    String label() {
        return label;
    }

    /** VERSION as Podman sends it to every plugin of every network it loads (its environment and stdin). */
    Procs.Timed version(String type, Path stdin) {
        Map<String, String> env = base();
        env.put("CNI_COMMAND", "VERSION");
        env.put("CNI_NETNS", "dummy");
        env.put("CNI_IFNAME", "dummy");
        env.put("CNI_PATH", "dummy");
        env.put("CNI_CONTAINERID", "");
        env.put("CNI_ARGS", "");
        return run(type, env, stdin).ok(label + " " + type + " VERSION");
    }

    /** ADD or DEL of container {@code id} in {@code netns} (a name under /run/netns), interface eth0. */
    Procs.Timed call(String type, String verb, String id, String netns, Path stdin) {
        Map<String, String> env = base();
        env.put("CNI_COMMAND", verb);
        env.put("CNI_CONTAINERID", id);
        env.put("CNI_NETNS", "/run/netns/" + netns);
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", cniPath);
        env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAME=" + id);
        return run(type, env, stdin).ok(label + " " + type + " " + verb + " " + id);
    }

    private Map<String, String> base() {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", PATH);
        env.put("HOME", "/root");
        env.putAll(extra);
        return env;
    }

    private Procs.Timed run(String type, Map<String, String> env, Path stdin) {
        return process(List.of(dir.resolve(type).toString()), env, stdin);
    }

    /** A whole process with only {@code env} as its environment, timed from start to exit; output read afterwards. */
    static Procs.Timed process(List<String> argv, Map<String, String> env, Path stdin) {
        return Procs.timed(argv, env, stdin, true);
    }

    /** {@code bin/patchbay ARGS} of {@code dist} as a process with this folder's environment (no daemon: in-process). */
    Procs.Timed cli(Path dist, String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of(dist.toAbsolutePath().resolve("bin/patchbay").toString()));
        argv.addAll(List.of(args));
        return process(argv, base(), null).ok("patchbay " + String.join(" ", args));
    }

    /** The seed's bridge.conf shape (issue 12): isGateway, ipMasq, host-local with a subnet and a data directory. */
    static String bridgeConf(String name, String bridge, String subnet, Path dataDir) {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"" + name + "\",\"type\":\"bridge\",\"bridge\":\"" + bridge
                + "\",\"isGateway\":true,\"ipMasq\":true,\"ipam\":{\"type\":\"host-local\",\"subnet\":\"" + subnet
                + "\",\"dataDir\":\"" + dataDir + "\"}}";
    }

    /** The bridge configuration with the ADD's result as prevResult: what libcni sends with DEL (its cached result). */
    static String withPrevResult(String conf, String result) {
        return conf.substring(0, conf.length() - 1) + ",\"prevResult\":" + result.strip() + "}";
    }

    /** portmap chained after the bridge (as shared/peers/cni_bridge.sh): one TCP port, prevResult = the bridge's result. */
    static String portmapConf(String name, int hostPort, String prevResult) {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"" + name + "\",\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true},"
                + "\"snat\":true,\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":" + hostPort
                + ",\"containerPort\":80,\"protocol\":\"tcp\"}]},\"prevResult\":" + prevResult.strip() + "}";
    }

    static Path write(Path dir, String name, String content) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, content + "\n");
        return f;
    }
}
