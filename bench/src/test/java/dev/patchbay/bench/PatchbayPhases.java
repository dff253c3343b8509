package dev.patchbay.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Patchbay's side of the benchmark: the in-process (daemon-equivalent) path, and a real daemon process. */
final class PatchbayPhases {
    static final String NET = "benchip";
    static final String BRIDGE = "pbbench0";
    static final String NET_D = "benchd";
    static final String BRIDGE_D = "pbbenchd0";
    /** The firewall backend to bench ({@code -Dpatchbay.bench.backend=iptables}); empty: Patchbay's default choice. */
    static final String BACKEND = System.getProperty("patchbay.bench.backend", "");
    /** More words for the benchmark network's create (-Dpatchbay.bench.create="--dns=false"): to compare with a build without a feature. */
    static final List<String> CREATE_EXTRA = System.getProperty("patchbay.bench.create", "").isBlank() ? List.of()
            : List.of(System.getProperty("patchbay.bench.create").trim().split("\\s+"));

    private final Path dist;
    private final List<String> containers;
    private final Report report;

    PatchbayPhases(Path dist, List<String> containers, Report report) {
        this.dist = dist;
        this.containers = containers;
        this.report = report;
    }

    /**
     * Felix and the distribution's bundles in this JVM; per operation exactly what the daemon runs per request.
     * Warm-up cycles first (not reported), then attach 1..N, detach 1..N, attach 1..N each publishing a port of
     * its own, detach 1..N.
     */
    void inProcess(int warmup) throws Exception {
        Path state = Files.createTempDirectory("pb-bench-state");
        long t0 = System.nanoTime();
        Patchbay pb = new Patchbay.InProcess(dist, state);
        double boot = (System.nanoTime() - t0) / 1e6;
        boolean created = false;
        try {
            if (!BACKEND.isEmpty()) {
                pb.call("firewall", "backend", BACKEND);
            }
            List<String> createArgs = new ArrayList<>(List.of("network", "create", NET, "--subnet", "10.200.0.0/21", "--bridge", BRIDGE, "--masquerade"));
            createArgs.addAll(CREATE_EXTRA); // e.g. --dns=false: the same network as a build without that feature makes
            double create = pb.call(createArgs.toArray(String[]::new));
            created = true;
            report.line("   framework boot %.0f ms; network create --masquerade%s %.2f ms (one sample)", boot,
                    CREATE_EXTRA.isEmpty() ? "" : " " + String.join(" ", CREATE_EXTRA), create);
            for (int i = 0; i < Math.min(warmup, containers.size()); i++) {
                pb.call("attach", NET, "--netns", containers.get(i), "--publish", (30000 + i) + ":80/tcp");
                pb.call("detach", NET, "--netns", containers.get(i));
            }
            List<Double> attach = new ArrayList<>();
            List<Double> detach = new ArrayList<>();
            List<Double> attachPub = new ArrayList<>();
            List<Double> detachPub = new ArrayList<>();
            String ping = "";
            String order = System.getProperty("patchbay.bench.order", "plain-first");
            if ("interleaved".equals(order)) {
                ping = interleaved(pb, attach, detach, attachPub, detachPub);
            } else {
                boolean publishFirst = "publish-first".equals(order);
                for (int pass = 0; pass < 2; pass++) {
                    if ((pass == 0) != publishFirst) {
                        for (int i = 0; i < containers.size(); i++) {
                            String c = containers.get(i);
                            attach.add(BenchOp.timed("attach", i + 1, () -> pb.call("attach", NET, "--netns", c)));
                        }
                        ping = sanityPings();
                        for (int i = 0; i < containers.size(); i++) {
                            String c = containers.get(i);
                            detach.add(BenchOp.timed("detach", i + 1, () -> pb.call("detach", NET, "--netns", c)));
                        }
                    } else {
                        for (int i = 0; i < containers.size(); i++) {
                            String c = containers.get(i);
                            String port = (20001 + i) + ":80/tcp";
                            attachPub.add(BenchOp.timed("attach --publish", i + 1, () -> pb.call("attach", NET, "--netns", c, "--publish", port)));
                        }
                        for (int i = 0; i < containers.size(); i++) {
                            String c = containers.get(i);
                            detachPub.add(BenchOp.timed("detach (published)", i + 1, () -> pb.call("detach", NET, "--netns", c)));
                        }
                    }
                }
            }
            double rm = pb.call("network", "rm", NET);
            created = false;
            report.row("patchbay in-process: attach (masquerade net)", attach);
            report.row("patchbay in-process: attach --publish", attachPub);
            report.row("patchbay in-process: detach", detach);
            report.row("patchbay in-process: detach (published)", detachPub);
            report.line("   sanity: c1 -> gateway ping %s; network rm %.2f ms; warm-up: %d attach+detach cycles first; order %s%s", ping, rm,
                    Math.min(warmup, containers.size()), order,
                    "interleaved".equals(order) ? " (each row holds every other container: its ms/ctr is per two containers)" : "");
        } finally {
            if (created) {
                forceRemove(pb, NET);
            }
            pb.close();
            Procs.quiet("ip", "link", "del", BRIDGE);
            Procs.deleteTree(state);
        }
    }

    /**
     * One pass: container 1 plain, container 2 publishing a port, 3 plain, and so on, then detached in the same
     * order. Both rows (N/2 samples each) see the same moments of a noisy machine and the same bridge size.
     */
    private String interleaved(Patchbay pb, List<Double> attach, List<Double> detach, List<Double> attachPub, List<Double> detachPub) {
        for (int i = 0; i < containers.size(); i++) {
            String c = containers.get(i);
            if (i % 2 == 0) {
                attach.add(BenchOp.timed("attach", i + 1, () -> pb.call("attach", NET, "--netns", c)));
            } else {
                String port = (20001 + i) + ":80/tcp";
                attachPub.add(BenchOp.timed("attach --publish", i + 1, () -> pb.call("attach", NET, "--netns", c, "--publish", port)));
            }
        }
        String ping = sanityPings();
        for (int i = 0; i < containers.size(); i++) {
            String c = containers.get(i);
            (i % 2 == 0 ? detach : detachPub).add(BenchOp.timed(i % 2 == 0 ? "detach" : "detach (published)", i + 1,
                    () -> pb.call("detach", NET, "--netns", c)));
        }
        return ping;
    }

    private String sanityPings() {
        return ping(containers.get(0), "10.200.0.1") + ", c1 -> c2 "
                + (containers.size() < 2 ? "n/a" : ping(containers.get(0), address(containers.get(1))));
    }

    /**
     * A real {@code bin/patchbay daemon}: {@code cliN} containers attached by fresh CLI processes, the rest
     * through its socket; its resident memory with all N attached; then detached the same way. Afterwards,
     * with the daemon stopped, a few CLI processes that work in-process (no daemon), for scale.
     */
    void daemon(int cliN, int coldN) throws Exception {
        Path state = Files.createTempDirectory("pb-bench-dstate");
        Path run = Files.createTempDirectory("pb-bench-run");
        DaemonProcess d = null;
        boolean created = false;
        try {
            d = new DaemonProcess(dist, state, run);
            double idle = Procs.memoryMiB(d.pid(), "VmRSS");
            if (!BACKEND.isEmpty()) {
                d.call("firewall", "backend", BACKEND);
            }
            d.call("network", "create", NET_D, "--subnet", "10.203.0.0/21", "--bridge", BRIDGE_D, "--masquerade");
            created = true;
            int k = Math.min(cliN, containers.size());
            List<Double> cliAttach = new ArrayList<>();
            List<Double> sockAttach = new ArrayList<>();
            for (int i = 0; i < containers.size(); i++) {
                if (i < k) {
                    cliAttach.add(d.cli("attach", NET_D, "--netns", containers.get(i)));
                } else {
                    sockAttach.add(d.call("attach", NET_D, "--netns", containers.get(i)));
                }
            }
            double full = Procs.memoryMiB(d.pid(), "VmRSS");
            double hwm = Procs.memoryMiB(d.pid(), "VmHWM");
            report.value("daemon VmRSS", full);
            String heap = d.heapInfo();
            String threads = Procs.status(d.pid(), "Threads");
            String options = Procs.jvmOptions(d.pid());
            String jcmd = System.getProperty("patchbay.bench.daemon.jcmd", "");
            if (!jcmd.isBlank()) {
                java.nio.file.Path out = dist.getParent().resolve("bench/daemon-jcmd.txt");
                Files.createDirectories(out.getParent());
                Files.writeString(out, d.jcmd(jcmd));
                report.line("   jcmd %s with %d attachments: see %s", jcmd, containers.size(), out);
            }
            String nmt = System.getProperty("patchbay.bench.daemon.opts", "").contains("NativeMemoryTracking") ? d.nativeMemory() : "";
            List<Double> cliDetach = new ArrayList<>();
            List<Double> sockDetach = new ArrayList<>();
            for (int i = 0; i < containers.size(); i++) {
                if (i < k) {
                    cliDetach.add(d.cli("detach", NET_D, "--netns", containers.get(i)));
                } else {
                    sockDetach.add(d.call("detach", NET_D, "--netns", containers.get(i)));
                }
            }
            double after = Procs.memoryMiB(d.pid(), "VmRSS");
            d.close();
            List<Double> coldAttach = new ArrayList<>();
            List<Double> coldDetach = new ArrayList<>();
            Map<String, String> env = Map.of("PATCHBAY_STATE_DIR", state.toString(), "PATCHBAY_RUN_DIR", run.toString());
            for (int i = 0; i < Math.min(coldN, containers.size()); i++) {
                coldAttach.add(cold(env, "attach", NET_D, "--netns", containers.get(i)));
                coldDetach.add(cold(env, "detach", NET_D, "--netns", containers.get(i)));
            }
            cold(env, "network", "rm", NET_D);
            created = false;
            report.row("CLI process -> daemon: attach", cliAttach);
            report.row("CLI process -> daemon: detach", cliDetach);
            report.row("daemon socket client: attach", sockAttach);
            report.row("daemon socket client: detach", sockDetach);
            report.row("CLI process, no daemon (in-process): attach", coldAttach);
            report.row("CLI process, no daemon (in-process): detach", coldDetach);
            report.line("   daemon VmRSS: idle %.1f MiB; with %d attachments %.1f MiB (VmHWM %.1f MiB); after detaching all %.1f MiB",
                    idle, containers.size(), full, hwm, after);
            report.line("   daemon JVM options (bin/patchbay's, then PATCHBAY_JAVA_OPTS): %s", options);
            report.line("   daemon threads with %d attachments: %s", containers.size(), threads);
            for (String l : nmt.isEmpty() ? new String[0] : nmt.split("\n")) {
                report.line("   native memory with %d attachments: %s", containers.size(), l.strip());
            }
            for (String l : heap.split("\n")) {
                report.line("   heap with %d attachments: %s", containers.size(), l.strip());
            }
        } finally {
            if (created && d != null) {
                try {
                    d.call("network", "rm", NET_D, "--force");
                } catch (RuntimeException e) {
                    System.err.println("bench: daemon network rm --force: " + e.getMessage());
                }
            }
            if (d != null) {
                d.close();
            }
            Procs.quiet("ip", "link", "del", BRIDGE_D);
            Procs.deleteTree(state);
            Procs.deleteTree(run);
        }
    }

    private double cold(Map<String, String> env, String... args) {
        List<String> argv = new ArrayList<>(List.of(dist.resolve("bin/patchbay").toString()));
        argv.addAll(List.of(args));
        return Procs.timed(argv, env, null).ok("patchbay " + String.join(" ", args)).ms();
    }

    private static void forceRemove(Patchbay pb, String network) {
        try {
            pb.call("network", "rm", network, "--force");
        } catch (RuntimeException e) {
            System.err.println("bench: network rm --force " + network + ": " + e.getMessage());
        }
    }

    /** The IPv4 address of eth0 in {@code netns}. */
    static String address(String netns) {
        String out = Procs.run("ip", "-n", netns, "-4", "-o", "addr", "show", "dev", "eth0");
        String[] w = out.trim().split("\\s+");
        return w.length > 3 ? w[3].replaceAll("/.*", "") : "none";
    }

    static String ping(String netns, String address) {
        return Procs.timed(List.of("ip", "netns", "exec", netns, "ping", "-c", "1", "-W", "2", address), Map.of(), null).code() == 0
                ? "ok" : "FAILED";
    }
}
