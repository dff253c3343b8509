package dev.patchbay.bench;

import dev.patchbay.harness.Containerd;
import dev.patchbay.harness.Holder;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Benchmark runner (issue 21, "Patchbay on a real host"), not a test: what a runtime's whole run costs with nothing
 * started by hand. {@code ctr run --rm --cni localhost/bb:1 ID true} on containerd 1.6 ({@link Containerd}: its own
 * holder, root and socket), with the conflist containerd documents (bridge with host-local, then portmap), once on
 * the reference plugins and once on Patchbay's {@code cni/} with the self-starting daemon on (as on a host without
 * systemd: the warm-up run starts it, every later CNI call uses it), and {@code ctr run --rm} without {@code --cni}:
 * the floor no CNI plugin can go below. Alternating (A B C, C B A, ...), medians after one warm-up run each, ratios
 * against the reference; the first Patchbay run (the daemon starting) is reported on its own. Podman's row is
 * PodmanIT's timing with {@code -Dpatchbay.podman.autostart=true} (bench/BENCH.md). Writes
 * {@code target/bench/runtime-bench.txt}. Runs with {@code -Pbench} only; fails only if a run fails or leaves
 * something behind.
 */
@NetnsTest
class RuntimeBenchIT {
    static final Path DIST = Path.of(System.getProperty("patchbay.dist", "target/patchbay")).toAbsolutePath();
    static final int N = Integer.getInteger("patchbay.bench.runtime.n", 15);
    static final Path REFERENCE = Path.of("/usr/lib/cni");

    @Test
    void ctrRunRm(Sandbox sandbox) throws Exception {
        String missing = Containerd.missing();
        if (missing != null) {
            throw new IllegalStateException("containerd cannot run here: " + missing);
        }
        Report report = new Report();
        report.line("# Patchbay runtime benchmark (issue 21) — %s", ZonedDateTime.now());
        report.line("# ctr run --rm, N=%d per row after one warm-up each, alternating; Patchbay: %s (daemon: starts itself); reference: %s",
                N, DIST.resolve("cni"), REFERENCE);
        report.line("# %s", AttachBenchIT.machine());
        Path base = Files.createTempDirectory("pb-ctr-bench");
        try (Containerd c = new Containerd(base)) {
            Map<String, String> refConf = Map.of("bridge", "ctr-ref0", "subnet", "10.88.40.0/24", "name", "ctrref");
            Map<String, String> pbConf = Map.of("bridge", "ctr-pb0", "subnet", "10.88.41.0/24", "name", "ctrpb");
            Map<String, Path> refExe = new LinkedHashMap<>();
            for (String t : List.of("bridge", "host-local", "portmap", "loopback")) {
                refExe.put(t, REFERENCE.resolve(t));
            }
            Map<String, Path> pbExe = new LinkedHashMap<>(refExe); // the types Patchbay does not serve fall through
            pbExe.put("bridge", DIST.resolve("cni/bridge"));
            pbExe.put("portmap", DIST.resolve("cni/portmap"));
            String[] rows = {"ctr run --rm (no CNI: the floor)", "ctr run --rm --cni, reference plugins", "ctr run --rm --cni, Patchbay (daemon started itself)"};
            Map<String, List<Double>> ms = new LinkedHashMap<>();
            for (String r : rows) {
                ms.put(r, new ArrayList<>());
            }
            int[] id = {0};
            java.util.function.IntFunction<Double> run = k -> {
                try {
                    String ctr = "b" + id[0]++;
                    if (k == 0) {
                        return c.ctr(Map.of(), "run", "--rm", Containerd.IMAGE, ctr, "true").ok("ctr run (no CNI)").ms();
                    }
                    boolean pb = k == 2;
                    c.useCni(conflist(pb ? pbConf : refConf), pb ? pbExe : refExe);
                    return c.ctr(Map.of("PATCHBAY_DAEMON_AUTOSTART", pb ? "on" : "off"), "run", "--rm", "--cni", Containerd.IMAGE, ctr, "true")
                            .ok("ctr run --cni (" + (pb ? "Patchbay" : "reference") + ")").ms();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            };
            double first = run.apply(2); // the daemon starts itself here
            run.apply(1);
            run.apply(0);
            for (int i = 0; i < N; i++) {
                int[] order = i % 2 == 0 ? new int[] {0, 1, 2} : new int[] {2, 1, 0};
                for (int k : order) {
                    ms.get(rows[k]).add(run.apply(k));
                }
            }
            report.header("ctr run --rm localhost/bb:1 ID true (whole process, ms)");
            for (String r : rows) {
                report.row(r, ms.get(r));
            }
            report.line("first Patchbay run (the daemon starts itself): %.1f ms", first);
            report.ratio("reference / Patchbay (target 1.5x)", rows[1], rows[2]);
            double floor = report.get(rows[0]).median();
            report.line("%-40s %7.1fx   (reference over the floor: the most any plugin could gain)", "reference / floor",
                    report.get(rows[1]).median() / floor);
            report.line("networking over the floor: reference %.1f ms, Patchbay %.1f ms", report.get(rows[1]).median() - floor,
                    report.get(rows[2]).median() - floor);
            Holder.Result left = c.holder().in("ip", "-o", "link", "show", "master", "ctr-pb0");
            if (!left.out().isBlank()) {
                throw new AssertionError("Patchbay's runs left ports on ctr-pb0: " + left.out());
            }
        } finally {
            Path out = Path.of("target/bench/runtime-bench.txt");
            Files.createDirectories(out.getParent());
            report.write(out);
        }
    }

    /** The conflist containerd's documentation gives: bridge (gateway, masquerade, host-local), then portmap. */
    static String conflist(Map<String, String> c) {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"" + c.get("name") + "\",\"plugins\":["
                + "{\"type\":\"bridge\",\"bridge\":\"" + c.get("bridge") + "\",\"isGateway\":true,\"ipMasq\":true,\"promiscMode\":true,"
                + "\"ipam\":{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"" + c.get("subnet") + "\"}]],\"routes\":[{\"dst\":\"0.0.0.0/0\"}]}},"
                + "{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true}}]}";
    }
}
