package dev.patchbay.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.harness.Cri;
import dev.patchbay.harness.Podman;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Benchmark runner (issue 26, "a Kubernetes node"), not a test: what kubelet's pod lifecycle costs through
 * containerd 1.6's CRI ({@link Cri}: its own holder, root, socket and CNI folders; the project's CRI client). A pod
 * with a hostPort (TCP), RunPodSandbox + StopPodSandbox + RemovePodSandbox, each call timed by the client, once on
 * the reference plugins ({@code /usr/lib/cni}'s bridge and portmap, linked into the one bin_dir as {@code refbridge}
 * and {@code refportmap}) and once on Patchbay's {@code cni/} with its daemon resident (started before the runs, as
 * its unit does). The same conflist on both sides (bridge with host-local, then portmap with
 * {@code capabilities.portMappings}), each on its own bridge and subnet; the side is switched by swapping conf_dir's
 * one file (containerd reloads it; the switch waits until Status names the new network and is not timed).
 * Alternating (A B, B A, ...), medians after one warm-up pod each; Patchbay's CNI calls as its daemon logs them
 * (where a pod's time goes). A third row, the same pod with {@code hostNetwork} (the host's namespace: no pod
 * namespace, no CNI call), is the floor no plugin can go below. With {@code -Dpatchbay.podman.autostart=true} no daemon is started by hand: the first
 * Patchbay pod's first CNI call starts it, and that pod is reported on its own (the rows are then of the daemon that
 * started itself, whose log is its own: no summary of CNI calls). Writes {@code target/bench/cri-bench.txt}. Runs with {@code -Pbench} only; fails only
 * if a call fails.
 */
@NetnsTest
class CriBenchIT {
    static final Path DIST = Path.of(System.getProperty("patchbay.dist", "target/patchbay")).toAbsolutePath();
    static final int N = Integer.getInteger("patchbay.bench.cri.n", 11);
    static final Path REFERENCE = Path.of("/usr/lib/cni");
    static final String[] SIDES = {"reference plugins", "Patchbay (daemon resident)", "hostNetwork (no CNI: the floor)"};
    static final String[] CALLS = {"RunPodSandbox", "StopPodSandbox", "RemovePodSandbox"};

    private Cri cri;
    private int pods;

    @Test
    void podLifecycle(Sandbox sandbox) throws Exception {
        String missing = Cri.missing();
        if (missing != null) {
            throw new IllegalStateException("containerd's CRI cannot run here: " + missing);
        }
        Report report = new Report();
        report.line("# Patchbay CRI benchmark (issue 26) — %s", ZonedDateTime.now());
        report.line("# containerd's CRI, a pod with one TCP hostPort: RunPodSandbox + StopPodSandbox + RemovePodSandbox, N=%d per side"
                + " after one warm-up each, alternating; Patchbay: %s (daemon %s); reference: %s", N, DIST.resolve("cni"),
                Podman.AUTOSTART ? "started by the first CNI call" : "started before the runs", REFERENCE);
        report.line("# %s", AttachBenchIT.machine());
        Map<String, Path> bin = new LinkedHashMap<>();
        for (String t : List.of("loopback", "host-local")) {
            bin.put(t, REFERENCE.resolve(t));
        }
        bin.put("refbridge", REFERENCE.resolve("bridge"));
        bin.put("refportmap", REFERENCE.resolve("portmap"));
        bin.put("bridge", DIST.resolve("cni/bridge"));
        bin.put("portmap", DIST.resolve("cni/portmap"));
        Path base = Files.createTempDirectory("pb-cri-bench");
        Path daemonLog = Files.createTempFile("pb-cri-bench-daemon", ".log");
        try (Cri c = new Cri(base, bin, null)) {
            cri = c;
            double first = -1;
            if (Podman.AUTOSTART) { // nothing started by hand: the first Patchbay pod's CNI call starts the daemon
                first = pod(1, null);
            } else {
                c.holder().startDaemon(DIST, daemonLog);
            }
            Map<String, List<Double>> ms = new LinkedHashMap<>();
            for (String side : SIDES) {
                for (String call : CALLS) {
                    ms.put(side + " " + call, new ArrayList<>());
                }
                ms.put(side, new ArrayList<>());
            }
            for (int k = 0; k < SIDES.length; k++) {
                pod(k, null); // warm-up
            }
            int warmUpLines = Files.readAllLines(daemonLog).size(); // the summary of CNI calls counts the timed pods only
            for (int i = 0; i < N; i++) {
                int[] order = i % 2 == 0 ? new int[] {0, 1, 2} : new int[] {2, 1, 0};
                for (int k : order) {
                    pod(k, ms);
                }
            }
            report.header("a pod with a hostPort through containerd's CRI (client-timed calls, ms)");
            for (String call : CALLS) {
                for (String side : SIDES) {
                    report.row(call + ", " + side, ms.get(side + " " + call));
                }
            }
            for (String side : SIDES) {
                report.row("Run + Stop + Remove, " + side, ms.get(side));
            }
            report.ratio("reference / Patchbay (target 2x)", "Run + Stop + Remove, " + SIDES[0], "Run + Stop + Remove, " + SIDES[1]);
            double floor = report.get("Run + Stop + Remove, " + SIDES[2]).median();
            report.line("networking over the floor (hostNetwork): reference %.1f ms, Patchbay %.1f ms",
                    report.get("Run + Stop + Remove, " + SIDES[0]).median() - floor, report.get("Run + Stop + Remove, " + SIDES[1]).median() - floor);
            if (first >= 0) {
                report.line("first Patchbay pod, nothing started by hand (its first CNI call starts the daemon): %.1f ms", first);
            }
            report.line("");
            report.line("Patchbay's CNI calls in the timed pods, as its daemon logged them (median ms, count):");
            cniCalls(daemonLog, warmUpLines).forEach((call, v) -> report.line("  %-22s %8.2f  (%d)", call, Stats.of(v).median(), v.size()));
        } finally {
            cri = null;
            Files.deleteIfExists(daemonLog);
            Path out = Path.of("target/bench/cri-bench.txt");
            Files.createDirectories(out.getParent());
            report.write(out);
        }
    }

    /**
     * One pod on side {@code k}: its conflist in place, then Run, Stop, Remove; the times into {@code ms} (null:
     * warm-up). Returns Run + Stop + Remove.
     */
    private double pod(int k, Map<String, List<Double>> ms) throws Exception {
        boolean pb = k == 1;
        String net = pb ? "cripb" : "criref";
        Path conf = cri.confDir().resolve("10-net.conflist");
        if (k < 2 && (!Files.exists(conf) || !Files.readString(conf).contains("\"" + net + "\""))) {
            Files.writeString(conf, conflist(net, pb ? "" : "ref", pb ? "cri-pb0" : "cri-ref0", pb ? "10.88.51.0/24" : "10.88.50.0/24"));
            awaitLoaded(net);
        }
        JsonObject config = new JsonObject();
        String name = "b" + pods++;
        config.addProperty("name", name);
        config.addProperty("uid", name + "-uid");
        config.addProperty("cgroupParent", Cri.CGROUP_PARENT);
        if (k == 2) { // as kubelet sends it: no hostname of its own (no UTS namespace of its own)
            config.addProperty("hostNetwork", true);
            config.addProperty("hostname", "");
        }
        JsonArray ports = new JsonArray();
        JsonObject p = new JsonObject();
        p.addProperty("protocol", "tcp");
        p.addProperty("containerPort", 80);
        p.addProperty("hostPort", 8081 + k);
        ports.add(p);
        config.add("portMappings", ports);
        JsonObject run = new JsonObject();
        run.addProperty("method", "RunPodSandbox");
        run.add("config", config);
        JsonObject r = call(run);
        String id = r.get("podSandboxId").getAsString();
        double total = r.get("ms").getAsDouble();
        if (ms != null) {
            ms.get(SIDES[k] + " " + CALLS[0]).add(r.get("ms").getAsDouble());
        }
        for (String verb : List.of(CALLS[1], CALLS[2])) {
            JsonObject q = new JsonObject();
            q.addProperty("method", verb);
            q.addProperty("podSandboxId", id);
            double t = call(q).get("ms").getAsDouble();
            total += t;
            if (ms != null) {
                ms.get(SIDES[k] + " " + verb).add(t);
            }
        }
        if (ms != null) {
            ms.get(SIDES[k]).add(total);
        }
        return total;
    }

    /** Waits until containerd's Status (verbose) shows the network {@code net} loaded. */
    private void awaitLoaded(String net) throws Exception {
        for (int i = 0; i < 200; i++) {
            JsonObject status = new JsonObject();
            status.addProperty("method", "Status");
            status.addProperty("verbose", true);
            JsonObject info = call(status).getAsJsonObject("info");
            if (info.has("cniconfig") && info.get("cniconfig").getAsString().contains("\"" + net + "\"")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("containerd did not load the network " + net);
    }

    private JsonObject call(JsonObject request) throws IOException {
        JsonObject r = JsonParser.parseString(cri.call(request.toString())).getAsJsonObject();
        if (!r.get("ok").getAsBoolean()) {
            throw new AssertionError(request.get("method").getAsString() + " failed: " + r + "\n" + cri.log());
        }
        return r;
    }

    /** Patchbay's CNI calls by verb and type ("ADD bridge"...), their times, from the daemon's request lines. */
    static Map<String, List<Double>> cniCalls(Path log, int skip) throws IOException {
        Pattern line = Pattern.compile(": CNI (\\w+) (\\w+) container \\S+ \\S+ -> exit 0 in ([0-9.]+) ms");
        Map<String, List<Double>> calls = new TreeMap<>();
        List<String> lines = Files.readAllLines(log);
        for (String l : lines.subList(Math.min(skip, lines.size()), lines.size())) {
            Matcher m = line.matcher(l);
            if (m.find()) {
                calls.computeIfAbsent(m.group(1) + " " + m.group(2), x -> new ArrayList<>()).add(Double.parseDouble(m.group(3)));
            }
        }
        return calls;
    }

    /** bridge (gateway, masquerade, hairpin, host-local) then portmap with the portMappings capability. */
    static String conflist(String name, String prefix, String bridge, String subnet) {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"" + name + "\",\"plugins\":["
                + "{\"type\":\"" + prefix + "bridge\",\"bridge\":\"" + bridge + "\",\"isGateway\":true,\"ipMasq\":true,\"hairpinMode\":true,"
                + "\"ipam\":{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"" + subnet + "\"}]],\"routes\":[{\"dst\":\"0.0.0.0/0\"}]}},"
                + "{\"type\":\"" + prefix + "portmap\",\"capabilities\":{\"portMappings\":true}}]}";
    }
}
