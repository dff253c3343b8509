package dev.patchbay.plugin.ipam;

import dev.patchbay.core.ipam.AllocationRequest;
import dev.patchbay.core.ipam.IpamConfig;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.plugin.ipam.store.DiskStore;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark runner, not a test (no assertions on time): allocations per second of Patchbay's host-local IPAM and of
 * the CNI host-local binary on the same layout, single process and under contention. Runs only with
 * {@code -Dpatchbay.bench=true}; see plugins-ipam/BENCH.md for the command. Prints a table and writes it to
 * {@code target/bench.txt}.
 */
@NetnsTest
@EnabledIfSystemProperty(named = "patchbay.bench", matches = "true")
class IpamBenchIT {
    static final IpamConfig CONFIG = IpamConfig.ofSubnets(IpPrefix.parse("10.50.0.0/16"));
    static final IfName ETH0 = IfName.of("eth0");
    static final int N = Integer.getInteger("patchbay.bench.n", 400);
    static final int HL_N = N;
    static final int DENSE = Integer.getInteger("patchbay.bench.dense", 5000);
    static final int PROCS = Integer.getInteger("patchbay.bench.procs", 4);

    @TempDir
    Path tmp;
    final StringBuilder report = new StringBuilder();
    int dirs;

    Path freshDir() {
        return tmp.resolve("d" + dirs++);
    }

    void row(String what, int n, long nanos) {
        double perSec = n / (nanos / 1e9);
        String line = String.format(Locale.ROOT, "%-58s n=%5d  %9.0f alloc/s  %8.3f ms/alloc", what, n, perSec, nanos / 1e6 / n);
        System.out.println(line);
        report.append(line).append('\n');
    }

    static double rate(int n, long nanos) {
        return n / (nanos / 1e9);
    }

    @Test
    void allocationsPerSecond(Sandbox sandbox) throws Exception {
        String netns = "/run/netns/" + sandbox.netns("bench");
        report.append("cpus=").append(Runtime.getRuntime().availableProcessors()).append(" java=")
                .append(System.getProperty("java.version")).append('\n');

        // warm-up (JIT, jnr-ffi load), not reported
        inProcess(freshDir(), 1000, false);
        inProcess(freshDir(), 300, true);

        long pbNoSync = inProcess(freshDir(), N, false);
        row("patchbay in-process, 1 thread (default: no fsync)", N, pbNoSync);
        long pbSync = inProcess(freshDir(), N, true);
        row("patchbay in-process, 1 thread (fsync on)", N, pbSync);
        long hl = hostLocalSerial(netns, freshDir(), HL_N);
        row("host-local binary, 1 process at a time (exec per ADD)", HL_N, hl);
        int jvmN = 20;
        long jvm = jvmPerAllocation(freshDir(), jvmN);
        row("patchbay, 1 JVM per allocation (no framework)", jvmN, jvm);

        long pbThreads = inProcessThreads(freshDir(), PROCS, N / PROCS);
        row("patchbay in-process, " + PROCS + " threads at once", N, pbThreads);
        long pbProcs = processes(freshDir(), PROCS, N / PROCS);
        row("patchbay, " + PROCS + " JVMs at once (start-up excluded)", N, pbProcs);
        long hlProcs = hostLocalParallel(netns, freshDir(), PROCS, HL_N / PROCS);
        row("host-local binary, " + PROCS + " ADD loops at once", HL_N, hlProcs);

        int more = 100;
        Path densePb = prefilled(DENSE);
        long pbDense = timed(() -> inProcess(densePb, more, false));
        row("patchbay in-process, " + more + " more into " + DENSE + " taken", more, pbDense);
        Path denseHl = prefilled(DENSE);
        long hlDense = hostLocalSerial(netns, denseHl, more);
        row("host-local binary, " + more + " more into " + DENSE + " taken", more, hlDense);

        report.append(String.format(Locale.ROOT, "ratio single (patchbay default / host-local): %.1fx%n",
                rate(N, pbNoSync) / rate(HL_N, hl)));
        report.append(String.format(Locale.ROOT, "ratio single (patchbay fsync on / host-local): %.1fx%n",
                rate(N, pbSync) / rate(HL_N, hl)));
        report.append(String.format(Locale.ROOT, "ratio dense, %d taken (patchbay / host-local): %.1fx%n",
                DENSE, rate(more, pbDense) / rate(more, hlDense)));
        report.append(String.format(Locale.ROOT, "ratio contention (patchbay %d JVMs / host-local %d loops): %.1fx%n",
                PROCS, PROCS, rate(N, pbProcs) / rate(HL_N, hlProcs)));
        report.append(String.format(Locale.ROOT, "ratio JVM per allocation / host-local exec per ADD: %.2fx%n",
                rate(jvmN, jvm) / rate(HL_N, hl)));
        System.out.print(report);
        Files.writeString(Path.of("target", "bench.txt"), report.toString(), StandardCharsets.UTF_8);
    }

    interface Timed {
        long run() throws Exception;
    }

    static long timed(Timed t) throws Exception {
        return t.run();
    }

    /** A directory with {@code n} records already in it (other owners), as a busy host-local directory. */
    Path prefilled(int n) {
        Path data = freshDir();
        DiskStore store = new DiskStore(data, "bench", false);
        try (var lock = store.lock()) {
            java.math.BigInteger base = dev.patchbay.core.model.IpAddresses.toBigInteger(
                    dev.patchbay.core.model.IpAddresses.parse("ip", "10.50.0.2"));
            java.net.InetAddress last = null;
            for (int i = 0; i < n; i++) {
                last = dev.patchbay.core.model.IpAddresses.fromBigInteger(base.add(java.math.BigInteger.valueOf(i)),
                        dev.patchbay.core.model.Family.INET);
                store.reserve(last, "old" + i, "eth0");
            }
            store.setLastReserved(0, last);
        }
        return data;
    }

    long inProcess(Path data, int n, boolean fsync) {
        HostLocalIpam ipam = new HostLocalIpam();
        ipam.stores = (dir, net) -> new DiskStore(dir, net, fsync);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            ipam.allocate(AllocationRequest.of(data, "bench", "c" + i, ETH0, CONFIG));
        }
        return System.nanoTime() - t0;
    }

    long inProcessThreads(Path data, int threads, int each) throws Exception {
        HostLocalIpam ipam = new HostLocalIpam();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> fs = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int tt = t;
            fs.add(pool.submit(() -> {
                for (int i = 0; i < each; i++) {
                    ipam.allocate(AllocationRequest.of(data, "bench", "t" + tt + "-" + i, ETH0, CONFIG));
                }
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        long t = System.nanoTime() - t0;
        pool.shutdown();
        return t;
    }

    long processes(Path data, int procs, int each) throws Exception {
        Path go = tmp.resolve("go" + dirs);
        List<Process> ps = new ArrayList<>();
        for (int p = 0; p < procs; p++) {
            List<String> cmd = MultiProcessAllocationTest.javaCommand(AllocateMain.class);
            cmd.addAll(List.of(data.toString(), "bench", "10.50.0.0/16", "p" + p, String.valueOf(each), go.toString(), "keep"));
            ps.add(new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start());
        }
        Thread.sleep(3000); // let every JVM start and wait for the go file
        long t0 = System.nanoTime();
        Files.writeString(go, "go");
        for (Process p : ps) {
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("bench process failed");
            }
        }
        return System.nanoTime() - t0;
    }

    long jvmPerAllocation(Path data, int n) throws Exception {
        Path go = Files.writeString(tmp.resolve("go-now"), "go");
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            List<String> cmd = MultiProcessAllocationTest.javaCommand(AllocateMain.class);
            cmd.addAll(List.of(data.toString(), "bench", "10.50.0.0/16", "j" + i, "1", go.toString(), "keep"));
            Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("bench process failed");
            }
        }
        return System.nanoTime() - t0;
    }

    long hostLocalSerial(String netns, Path data, int n) throws Exception {
        HostLocal hl = new HostLocal(netns, "bench", data, CONFIG);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            hl.add("h" + i).addresses();
        }
        return System.nanoTime() - t0;
    }

    long hostLocalParallel(String netns, Path data, int loops, int each) throws Exception {
        HostLocal hl = new HostLocal(netns, "bench", data, CONFIG);
        ExecutorService pool = Executors.newFixedThreadPool(loops);
        List<Future<?>> fs = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int l = 0; l < loops; l++) {
            int ll = l;
            fs.add(pool.submit(() -> {
                for (int i = 0; i < each; i++) {
                    hl.add("l" + ll + "-" + i).addresses();
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        long t = System.nanoTime() - t0;
        pool.shutdown();
        return t;
    }
}
