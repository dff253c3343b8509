package dev.patchbay.bench;

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
 * Benchmark runner (issue 21, "a CLI as fast as ip"), not a test: it asserts nothing about time. A {@code patchbay}
 * command as a whole process through the daemon (bin/patchbay, the C client) against {@code ip -j addr show}, side by
 * side in the same run, alternating (A B, B A, ...) after a warm-up; and {@code patchbay network ls} through the client
 * against the JVM path (bin/patchbay-jvm, which forwards to the same daemon). Prints medians and the ratio to ip (the
 * target: patchbay at most 3x ip), writes them to {@code target/bench/cli-bench.txt}. Runs with {@code -Pbench} only.
 */
@NetnsTest
class CliBenchIT {
    static final Path DIST = Path.of(System.getProperty("patchbay.dist", "target/patchbay"));
    static final int N = Integer.getInteger("patchbay.bench.cli.ip.n", 200);
    static final int N_JVM = Integer.getInteger("patchbay.bench.cli.jvm.n", 20);
    static final int WARMUP = Integer.getInteger("patchbay.bench.cli.warmup", 20);
    static final String NET = "clibench";
    static final String BRIDGE = "clibr0";

    @Test
    void cliProcesses(Sandbox sandbox) throws Exception {
        Report report = new Report();
        report.line("# Patchbay CLI process benchmark (issue 21) — %s", ZonedDateTime.now());
        report.line("# N=%d per row (alternating), JVM path x%d, warm-up %d rounds; %s", N, N_JVM, WARMUP, AttachBenchIT.machine());
        Path state = Files.createTempDirectory("pb-cli-bench-state");
        Path run = Files.createTempDirectory("pb-cli-bench-run"); // 0700, root's: the client trusts it
        Map<String, String> env = Map.of("PATCHBAY_RUN_DIR", run.toString(), "PATCHBAY_STATE_DIR", state.toString(),
                "PATCHBAY_DAEMON_AUTOSTART", "off");
        String client = DIST.resolve("bin/patchbay").toString();
        String jvm = DIST.resolve("bin/patchbay-jvm").toString();
        Map<String, List<String>> rows = new LinkedHashMap<>();
        rows.put("ip -j addr show", List.of("ip", "-j", "addr", "show"));
        rows.put("patchbay -o json addr show (C client -> daemon)", List.of(client, "-o", "json", "addr", "show"));
        rows.put("patchbay network ls (C client -> daemon)", List.of(client, "network", "ls"));
        rows.put("patchbay network ls -o json (C client -> daemon)", List.of(client, "network", "ls", "-o", "json"));
        DaemonProcess daemon = null;
        try {
            report.header("process spawn floor");
            List<Double> spawn = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                spawn.add(Procs.timed(List.of("/bin/true"), Map.of(), null).ms());
            }
            report.row("/bin/true as a process from this JVM", spawn);
            daemon = new DaemonProcess(DIST, state, run);
            // something to list: one network with its bridge (and the bridge's address for ip)
            Procs.timed(List.of(client, "network", "create", NET, "--subnet", "10.204.0.0/24", "--bridge", BRIDGE), env, null)
                    .ok("network create");
            for (int i = 0; i < WARMUP; i++) {
                for (List<String> argv : rows.values()) {
                    Procs.timed(argv, env, null).ok(String.join(" ", argv));
                }
                Procs.timed(List.of(jvm, "network", "ls"), env, null).ok("patchbay-jvm network ls");
            }

            report.header("whole processes, alternating, after " + WARMUP + " warm-up rounds");
            Map<String, List<Double>> samples = new LinkedHashMap<>();
            rows.keySet().forEach(k -> samples.put(k, new ArrayList<>()));
            List<String> labels = new ArrayList<>(rows.keySet());
            for (int i = 0; i < N; i++) {
                List<String> order = new ArrayList<>(labels);
                if (i % 2 == 1) {
                    java.util.Collections.reverse(order);
                }
                for (String label : order) {
                    samples.get(label).add(Procs.timed(rows.get(label), env, null).ok(label).ms());
                }
            }
            samples.forEach(report::row);

            report.header("patchbay network ls: C client against the JVM path (same daemon), alternating");
            List<Double> viaClient = new ArrayList<>();
            List<Double> viaJvm = new ArrayList<>();
            for (int i = 0; i < N_JVM; i++) {
                for (int k = 0; k < 2; k++) {
                    boolean c = (i + k) % 2 == 0;
                    (c ? viaClient : viaJvm).add(Procs.timed(List.of(c ? client : jvm, "network", "ls"), env, null).ok("network ls").ms());
                }
            }
            report.row("network ls: bin/patchbay (C client)", viaClient);
            report.row("network ls: bin/patchbay-jvm (JVM's DaemonClient)", viaJvm);

            report.line("");
            report.line("== patchbay / ip (medians; the target: at most 3x)");
            double ip = report.get("ip -j addr show").median();
            double floor = report.get("/bin/true as a process from this JVM").median();
            for (String label : labels.subList(1, labels.size())) {
                double pb = report.get(label).median();
                report.line("%-52s %5.2fx %s (%.2f ms / %.2f ms; above the spawn floor of %.2f ms: %.2fx)", label, pb / ip,
                        pb <= 3 * ip ? "MET" : "NOT MET", pb, ip, floor, (pb - floor) / Math.max(0.01, ip - floor));
            }
            double c = report.get("network ls: bin/patchbay (C client)").median();
            double j = report.get("network ls: bin/patchbay-jvm (JVM's DaemonClient)").median();
            report.line("%-52s %5.1fx faster (%.2f ms against %.2f ms)", "network ls: C client / JVM path", j / c, c, j);
        } finally {
            Procs.timed(List.of(client, "network", "rm", "--force", NET), env, null);
            if (daemon != null) {
                daemon.close();
            }
            Procs.quiet("ip", "link", "del", BRIDGE);
            Procs.deleteTree(state);
            Procs.deleteTree(run);
            report.write(DIST.getParent().resolve("bench/cli-bench.txt"));
        }
    }
}
