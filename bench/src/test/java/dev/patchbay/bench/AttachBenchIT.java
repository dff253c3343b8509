package dev.patchbay.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Benchmark runner (issue 6, "Speed"), not a test: it asserts nothing about time. Attach, attach with a
 * published port and detach for containers 1..N on one masquerade network, through Patchbay's in-process
 * (daemon) path, a real daemon process (its resident memory with N attachments) and the CLI as a fresh
 * process; side by side with the CNI bridge(+portmap) plugins and the tutorials' shell steps, in the same
 * run, in the sandbox JVM's namespace (the host). Prints a table with peer/Patchbay ratios and writes it to
 * {@code target/bench/attach-bench.txt}. Not part of {@code mvn verify}: run it with {@code -Pbench}, see
 * bench/BENCH.md.
 */
@NetnsTest
class AttachBenchIT {
    static final Path DIST = Path.of(System.getProperty("patchbay.dist", "target/patchbay"));
    static final int N = Integer.getInteger("patchbay.bench.n", 1000);
    static final int N_PEER = Integer.getInteger("patchbay.bench.peer.n", 200);
    static final int N_SHELL = Integer.getInteger("patchbay.bench.shell.n", 50);
    static final int N_CLI = Integer.getInteger("patchbay.bench.cli.n", 30);
    static final int N_COLD = Integer.getInteger("patchbay.bench.cold.n", 5);
    static final int WARMUP = Integer.getInteger("patchbay.bench.warmup", 30);
    static final String PHASES = System.getProperty("patchbay.bench.phases", "inprocess,daemon,cni,shell");

    @Test
    void attachDetach(Sandbox sandbox) throws Exception {
        for (int[] n : new int[][] {{N, 0}, {N_PEER, 1}, {N_SHELL, 2}}) {
            if (n[0] < 1 || n[0] > 1020) {
                String key = new String[] {"patchbay.bench.n", "patchbay.bench.peer.n", "patchbay.bench.shell.n"}[n[1]];
                throw new IllegalArgumentException(key + " must be 1..1020 (a Linux bridge takes at most 1024 ports): " + n[0]);
            }
        }
        Report report = new Report();
        report.line("# Patchbay attach/detach benchmark — %s", ZonedDateTime.now());
        report.line("# N=%d (patchbay), N_peer=%d (CNI), N_shell=%d, CLI samples=%d, warm-up=%d, firewall backend %s; %s", N, N_PEER, N_SHELL,
                N_CLI, WARMUP, PatchbayPhases.BACKEND.isEmpty() ? "(default)" : PatchbayPhases.BACKEND, machine());
        report.line("# state directories on %s", Procs.run("df", "--output=fstype", System.getProperty("java.io.tmpdir")).replace("Type", "").strip());
        int total = Math.max(N, N_PEER);
        List<String> containers = new ArrayList<>();
        List<String> add = new ArrayList<>();
        List<String> del = new ArrayList<>();
        for (int i = 1; i <= total; i++) {
            String name = sandbox.name("c" + i);
            containers.add(name);
            add.add("netns add " + name);
            del.add("netns del " + name);
        }
        List<String> shell = new ArrayList<>();
        for (int i = 1; i <= N_SHELL; i++) {
            shell.add(sandbox.name("s" + i));
        }
        Path tmp = Files.createTempDirectory("pb-bench");
        try {
            double nsAdd = Procs.ipBatch(null, add, false);
            report.line("# set-up (not timed in the rows): %d container namespaces in one ip -b: %.0f ms", total, nsAdd);
            report.header("process spawn floor");
            List<Double> spawn = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                spawn.add(Procs.timed(List.of("/bin/true"), Map.of(), null).ms());
            }
            report.row("/bin/true as a process from this JVM", spawn);

            PatchbayPhases patchbay = new PatchbayPhases(DIST, containers.subList(0, N), report);
            if (PHASES.contains("inprocess")) {
                report.header("Patchbay, in-process (what the daemon runs per request), N=" + N);
                patchbay.inProcess(WARMUP);
            }
            if (PHASES.contains("daemon")) {
                report.header("Patchbay daemon process, N=" + N + " (first " + Math.min(N_CLI, N) + " by CLI processes)");
                patchbay.daemon(N_CLI, N_COLD);
            }
            if (PHASES.contains("cni") && CniPeer.available()) {
                report.header("peer: CNI plugins " + CniPeer.version().replace('\n', ' ') + ", N=" + N_PEER);
                new CniPeer(tmp, containers.subList(0, N_PEER)).run(report);
            } else if (PHASES.contains("cni")) {
                report.line("peer: CNI plugins not found in %s: skipped", CniPeer.CNI_BIN);
            }
            if (PHASES.contains("shell")) {
                report.header("peer: tutorial shell steps, one ip process per step, N=" + N_SHELL);
                new ShellPeer(shell).run(report);
            }
            ratios(report);
        } finally {
            Procs.ipBatch(null, del, true);
            Procs.deleteTree(tmp);
            report.write(DIST.getParent().resolve("bench/attach-bench.txt"));
        }
        String left = leftovers();
        assertEquals("", left, "the benchmark left something behind");
    }

    static void ratios(Report r) {
        r.line("");
        r.line("== ratios peer / patchbay (medians; > 1 means Patchbay is faster)");
        String ip = "patchbay in-process: ";
        r.ratio("attach: CNI bridge ADD / in-process", "CNI bridge ADD (ipMasq)", ip + "attach (masquerade net)");
        r.ratio("attach: CNI bridge ADD / daemon socket", "CNI bridge ADD (ipMasq)", "daemon socket client: attach");
        r.ratio("attach: CNI bridge ADD / CLI process", "CNI bridge ADD (ipMasq)", "CLI process -> daemon: attach");
        r.ratio("attach: shell steps / in-process", "shell: 8 ip steps (namespace exists)", ip + "attach (masquerade net)");
        r.ratio("attach: shell steps / CLI process", "shell: 8 ip steps (namespace exists)", "CLI process -> daemon: attach");
        r.ratio("attach+publish: CNI bridge+portmap / in-p.", "CNI bridge+portmap ADD", ip + "attach --publish");
        r.ratio("detach: CNI bridge DEL / in-process", "CNI bridge DEL (ipMasq)", ip + "detach");
        r.ratio("detach: CNI bridge DEL / daemon socket", "CNI bridge DEL (ipMasq)", "daemon socket client: detach");
        r.ratio("detach: CNI bridge DEL / CLI process", "CNI bridge DEL (ipMasq)", "CLI process -> daemon: detach");
        r.ratio("detach: shell ip link del / in-process", "shell detach: ip link del host veth", ip + "detach");
        r.ratio("detach published: CNI portmap+bridge / in-p.", "CNI portmap+bridge DEL", ip + "detach (published)");
        r.line("");
        r.line("== targets (issue 6)");
        target(r, "attach median <= 5 ms", r.get(ip + "attach (masquerade net)"), 5);
        target(r, "attach+publish median <= 6 ms", r.get(ip + "attach --publish"), 6);
        target(r, "detach median <= 25 ms", r.get(ip + "detach"), 25);
        target(r, "detach (published) median <= 25 ms", r.get(ip + "detach (published)"), 25);
        Double rss = r.value("daemon VmRSS");
        r.line("%-40s %s", "daemon VmRSS with N attached <= 96 MiB", rss == null ? "not measured"
                : (rss <= 96 ? "MET" : "NOT MET") + String.format(java.util.Locale.ROOT, " (%.1f MiB with N=%d)", rss, N));
    }

    static void target(Report r, String what, Stats s, double limit) {
        if (s == null) {
            r.line("%-40s not measured", what);
            return;
        }
        r.line("%-40s %s (median %.2f ms; c1-10 %.2f, last 10 %.2f, slope %+.4f ms/container)", what,
                s.median() <= limit ? "MET" : "NOT MET", s.median(), s.first10(), s.last10(), s.slope());
    }

    static String machine() {
        String kernel = Procs.run("uname", "-r").trim();
        String load = "";
        try {
            load = Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception ignored) {
            // informative only
        }
        return "kernel " + kernel + ", " + Runtime.getRuntime().availableProcessors() + " CPUs, java " + System.getProperty("java.version")
                + " (" + System.getProperty("java.vm.name") + "), loadavg " + load;
    }

    /** Links, firewall rules and namespaces of the benchmark still in the host (empty when clean). */
    static String leftovers() {
        StringBuilder s = new StringBuilder();
        String links = Procs.run("ip", "-o", "link", "show");
        for (String name : List.of(PatchbayPhases.BRIDGE, PatchbayPhases.BRIDGE_D, CniPeer.BRIDGE, ShellPeer.BRIDGE, "veth", "vhb")) {
            if (links.contains(" " + name)) {
                s.append("links named ").append(name).append("*; ");
            }
        }
        String nft = Procs.timed(List.of("nft", "list", "ruleset"), Map.of(), null).out();
        if (nft.contains("table inet patchbay") && nft.contains("elements")) {
            s.append("patchbay nft elements; ");
        }
        s.append(CniPeer.leftovers());
        return s.toString();
    }
}
