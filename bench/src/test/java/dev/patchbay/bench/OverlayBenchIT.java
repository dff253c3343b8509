package dev.patchbay.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Benchmark runner (issue 27), not a test: pod-to-pod TCP throughput across two nodes over Patchbay's overlay (daemons,
 * node subnets leased in one etcd member) against the same VXLAN built by hand with {@code ip} (the limit: a VXLAN device
 * without learning, a bridge, a route, a neighbour and a forwarding entry per peer), rounds taken in turn in one run; and
 * the time from a third node's {@code network create} (the command's start) until both others route to its subnet.
 * Nodes are namespaces on one switch namespace's bridge; {@code iperf3} measures. Prints a table and writes
 * {@code target/bench/overlay-bench.txt}. Run with {@code -Pbench -Dit.test=OverlayBenchIT}.
 */
@NetnsTest
class OverlayBenchIT {
    static final int ROUNDS = Integer.getInteger("patchbay.bench.overlay.rounds", 3);
    static final int SECONDS = Integer.getInteger("patchbay.bench.overlay.seconds", 3);
    static final String ETCD = "http://192.168.79.250:2379";

    @Test
    void throughputAgainstHandMadeVxlanAndJoinTime(Sandbox sandbox) throws Exception {
        Report report = new Report();
        report.line("# Patchbay overlay benchmark — %s", ZonedDateTime.now());
        report.line("# %d rounds of %d s iperf3 per row, taken in turn; %s", ROUNDS, SECONDS, AttachBenchIT.machine());
        String sw = sandbox.netns("sw");
        sandbox.run("ip", "-n", sw, "link", "add", "br0", "type", "bridge");
        sandbox.run("ip", "-n", sw, "addr", "add", "192.168.79.250/24", "dev", "br0");
        sandbox.run("ip", "-n", sw, "link", "set", "br0", "up");
        String[] n = new String[3]; // Patchbay's nodes .1-.3
        String[] p = new String[3];
        String[] h = new String[2]; // the hand-made ones .11-.12
        String[] q = new String[2];
        for (int i = 0; i < 3; i++) {
            n[i] = node(sandbox, sw, "n" + i, "192.168.79." + (i + 1), i);
            p[i] = sandbox.netns("p" + i);
        }
        for (int i = 0; i < 2; i++) {
            h[i] = node(sandbox, sw, "h" + i, "192.168.79." + (11 + i), 10 + i);
            q[i] = sandbox.netns("q" + i);
        }
        handMade(sandbox, h, q);
        Path dir = Files.createTempDirectory("pb-bench-overlay");
        List<Process> processes = new ArrayList<>();
        try {
            processes.add(new ProcessBuilder("ip", "netns", "exec", sw, "etcd", "--name", "b", "--data-dir", dir.resolve("etcd").toString(),
                    "--listen-client-urls", ETCD, "--advertise-client-urls", ETCD, "--listen-peer-urls", "http://192.168.79.250:2380",
                    "--initial-advertise-peer-urls", "http://192.168.79.250:2380", "--initial-cluster", "b=http://192.168.79.250:2380",
                    "--log-level", "error").redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile()).start());
            for (int i = 0; i < 3; i++) {
                Files.createDirectories(dir.resolve("state" + i));
                Files.createDirectories(dir.resolve("run" + i));
                processes.add(in(n[i], dir, i, "daemon").redirectOutput(dir.resolve("daemon" + i + ".log").toFile()).start());
            }
            for (int i = 0; i < 3; i++) {
                Path run = dir.resolve("run" + i);
                assertTrue(poll(() -> {
                    try (var files = Files.list(run)) {
                        return files.anyMatch(f -> f.toString().endsWith(".sock"));
                    } catch (java.io.IOException e) {
                        return false;
                    }
                }, 60), "daemon " + i + " up");
            }
            String[] ips = new String[2];
            for (int i = 0; i < 2; i++) {
                call(n[i], dir, i, create(i));
                Matcher m = Pattern.compile("\\[(10\\.244\\.\\d+\\.\\d+)/24\\]").matcher(call(n[i], dir, i, "attach", "bo", "--netns", p[i]));
                assertTrue(m.find());
                ips[i] = m.group(1);
            }
            int[] k = {0};
            for (k[0] = 0; k[0] < 2; k[0]++) {
                String node = n[k[0]];
                assertTrue(poll(() -> routes(sandbox, node) == 1, 30), "node " + k[0] + " routes to the other");
            }
            report.header("pod-to-pod TCP across two nodes (iperf3, " + SECONDS + " s, Gbit/s; higher is better)");
            List<Double> patchbay = new ArrayList<>();
            List<Double> hand = new ArrayList<>();
            for (int r = 0; r < ROUNDS; r++) {
                patchbay.add(iperf(sandbox, p[0], p[1], ips[1]));
                hand.add(iperf(sandbox, q[0], q[1], "10.250.2.2"));
            }
            report.row("Patchbay overlay (nftables, daemons, etcd)", patchbay);
            report.row("VXLAN by hand with ip (the limit)", hand);
            report.line("%-52s %7.2fx", "Patchbay / by hand (medians)", Stats.of(patchbay).median() / Stats.of(hand).median());

            report.header("a node's join until every other node routes to it (ms from its network create's start)");
            List<Double> join = new ArrayList<>();
            List<Double> command = new ArrayList<>();
            for (int r = 0; r < ROUNDS; r++) {
                long t0 = System.nanoTime();
                Process c = in(n[2], dir, 2, create(2)).start();
                long[] routed = {0};
                assertTrue(poll(() -> {
                    if (routes(sandbox, n[0]) == 2 && routes(sandbox, n[1]) == 2) {
                        routed[0] = System.nanoTime();
                        return true;
                    }
                    return false;
                }, 60), "both route to n3");
                finish(c);
                command.add((System.nanoTime() - t0) / 1e6);
                join.add((routed[0] - t0) / 1e6);
                call(n[2], dir, 2, "network", "rm", "bo", "--force");
                assertTrue(poll(() -> routes(sandbox, n[0]) == 1 && routes(sandbox, n[1]) == 1, 30), "n3 withdrawn");
            }
            report.row("join -> both others route to it", join);
            report.row("its network create (CLI process, to exit)", command);
            for (int i = 0; i < 2; i++) {
                call(n[i], dir, i, "network", "rm", "bo", "--force");
            }
        } finally {
            for (Process pr : processes) {
                pr.destroy();
            }
            for (Process pr : processes) {
                if (!pr.waitFor(20, TimeUnit.SECONDS)) {
                    pr.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        report.write(Path.of("target", "bench", "overlay-bench.txt"));
    }

    private static String[] create(int i) {
        return new String[] {"network", "create", "bo", "--driver", "overlay", "--subnet", "10.244.0.0/16", "--opt", "etcd=" + ETCD,
                "--opt", "node=n" + i, "--opt", "underlay=up0", "--opt", "lease-ttl=10"};
    }

    /** A node namespace on the switch: {@code up0} with {@code ip}/24. */
    private static String node(Sandbox sandbox, String sw, String name, String ip, int port) {
        String ns = sandbox.netns(name);
        sandbox.run("ip", "-n", ns, "link", "add", "up0", "type", "veth", "peer", "name", "port" + port, "netns", sw);
        sandbox.run("ip", "-n", sw, "link", "set", "port" + port, "master", "br0", "up");
        sandbox.run("ip", "-n", ns, "addr", "add", ip + "/24", "dev", "up0");
        sandbox.run("ip", "-n", ns, "link", "set", "up0", "up");
        sandbox.run("ip", "-n", ns, "link", "set", "lo", "up");
        return ns;
    }

    /** The same overlay by hand: per node a VXLAN device (VNI 2, no learning), a bridge, a veth to its pod; per peer a route, neighbour, FDB entry. */
    private static void handMade(Sandbox sandbox, String[] h, String[] q) {
        String[] macs = {"02:aa:00:00:00:01", "02:aa:00:00:00:02"};
        for (int i = 0; i < 2; i++) {
            int o = 1 - i;
            String s = Integer.toString(i + 1);
            sandbox.run("ip", "-n", h[i], "link", "add", "vx0", "address", macs[i], "mtu", "1450", "type", "vxlan", "id", "2", "local",
                    "192.168.79." + (11 + i), "dstport", "4789", "nolearning");
            sandbox.run("ip", "-n", h[i], "addr", "add", "10.250." + s + ".0/16", "dev", "vx0");
            sandbox.run("ip", "-n", h[i], "link", "set", "vx0", "up");
            sandbox.run("ip", "-n", h[i], "link", "add", "br0", "mtu", "1450", "type", "bridge");
            sandbox.run("ip", "-n", h[i], "addr", "add", "10.250." + s + ".1/24", "dev", "br0");
            sandbox.run("ip", "-n", h[i], "link", "set", "br0", "up");
            sandbox.run("ip", "-n", h[i], "link", "add", "vh0", "mtu", "1450", "type", "veth", "peer", "name", "eth0", "netns", q[i]);
            sandbox.run("ip", "-n", h[i], "link", "set", "vh0", "master", "br0", "up");
            sandbox.run("ip", "-n", q[i], "addr", "add", "10.250." + s + ".2/24", "dev", "eth0");
            sandbox.run("ip", "-n", q[i], "link", "set", "eth0", "up");
            sandbox.run("ip", "-n", q[i], "link", "set", "lo", "up");
            sandbox.run("ip", "-n", q[i], "route", "add", "default", "via", "10.250." + s + ".1");
            sandbox.run("ip", "netns", "exec", h[i], "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
            String peer = "10.250." + (o + 1) + ".0";
            sandbox.run("ip", "-n", h[i], "route", "add", "10.250." + (o + 1) + ".0/24", "via", peer, "dev", "vx0", "onlink");
            sandbox.run("ip", "-n", h[i], "neigh", "add", peer, "lladdr", macs[o], "dev", "vx0", "nud", "permanent");
            sandbox.run("bridge", "-n", h[i], "fdb", "append", macs[o], "dev", "vx0", "dst", "192.168.79." + (11 + o), "self", "permanent");
        }
    }

    /** Gbit/s received by an iperf3 server in {@code serverNs} from a client in {@code clientNs}. */
    private static double iperf(Sandbox sandbox, String clientNs, String serverNs, String serverIp) throws Exception {
        Process server = new ProcessBuilder("ip", "netns", "exec", serverNs, "iperf3", "-s", "-1").redirectErrorStream(true).start();
        try {
            Sandbox.Result r = null;
            for (int t = 0; t < 50; t++) { // the server listens within a moment
                r = sandbox.execIn(clientNs, "iperf3", "-c", serverIp, "-t", Integer.toString(SECONDS), "-J");
                if (r.code() == 0) {
                    break;
                }
                Thread.sleep(100);
            }
            assertEquals(0, r.code(), r.output());
            Matcher m = Pattern.compile("\"sum_received\":\\s*\\{[^}]*?\"bits_per_second\":\\s*([0-9.e+]+)").matcher(r.output());
            assertTrue(m.find(), r.output());
            return Double.parseDouble(m.group(1)) / 1e9;
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Peers {@code ns} routes to over its overlay device. */
    private static int routes(Sandbox sandbox, String ns) {
        return sandbox.execIn(ns, "ip", "route", "show", "dev", "pbx-bo").output().split(" via ").length - 1;
    }

    private static ProcessBuilder in(String ns, Path dir, int i, String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns, AttachBenchIT.DIST.resolve("bin/patchbay").toString()));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().putAll(Map.of("PATCHBAY_STATE_DIR", dir.resolve("state" + i).toString(), "PATCHBAY_RUN_DIR", dir.resolve("run" + i).toString()));
        return pb;
    }

    private static String call(String ns, Path dir, int i, String... args) throws Exception {
        return finish(in(ns, dir, i, args).start());
    }

    private static String finish(Process pr) throws Exception {
        String out = new String(pr.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(pr.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, pr.exitValue(), out);
        return out;
    }

    private static boolean poll(java.util.function.BooleanSupplier check, int seconds) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            if (check.getAsBoolean()) {
                return true;
            }
            Thread.sleep(10);
        }
        return check.getAsBoolean();
    }
}
