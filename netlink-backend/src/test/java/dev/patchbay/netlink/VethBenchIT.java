package dev.patchbay.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test: excluded from the default build, run with {@code mvn -pl netlink-backend verify -Pbench}
 * (see BENCH.md). Creates and deletes N veth pairs whose peers live in another namespace, in this
 * process and with {@code ip -batch} side by side in the same run, and measures the in-process
 * latency of single link/addr/route adds. Results go to stdout and target/bench-results.txt.
 */
@NetnsTest
@Tag("bench")
class VethBenchIT {
    static final int N = Integer.getInteger("bench.n", 1000);
    static final int REPS = Integer.getInteger("bench.reps", 7);
    static final int NDEL = Integer.getInteger("bench.ndel", 200);
    static final int SAMPLES = Integer.getInteger("bench.samples", 300);
    static final int SETTLE_MS = Integer.getInteger("bench.settle", 2000);
    final NetlinkNetworkStack stack = new NetlinkNetworkStack();

    static {
        // load the core classes now: other builds may replace the core jar in the local repository while we run
        Route.defaultVia(IpAddresses.parse("gw", "10.0.0.1"));
        IpPrefix.parse("10.0.0.0/8").network();
    }

    final StringBuilder report = new StringBuilder();

    @Test
    void vethPairs(Sandbox sandbox) throws Exception {
        String host = sandbox.netns("bh");
        String peers = sandbox.netns("bp");
        Path addFile = Files.createTempFile("ipbatch-add", ".txt");
        Path delFile = Files.createTempFile("ipbatch-del", ".txt");
        StringBuilder add = new StringBuilder();
        StringBuilder del = new StringBuilder();
        List<LinkSpec> specs = new ArrayList<>();
        List<LinkRef> refs = new ArrayList<>();
        for (int i = 0; i < NDEL; i++) {
            del.append("link del va").append(i).append('\n');
        }
        for (int i = 0; i < N; i++) {
            add.append("link add va").append(i).append(" type veth peer name vp").append(i).append(" netns ").append(peers).append('\n');
            specs.add(new LinkSpec.Veth(IfName.of("va" + i), IfName.of("vp" + i), NetnsRef.named(peers), null, null, null));
            refs.add(LinkRef.name("va" + i));
        }
        Files.writeString(addFile, add);
        Files.writeString(delFile, del);
        line("# veth pairs, peer in another namespace, N=%d, %d repetitions (times in ms, whole process for ip)", N, REPS);
        line("%-28s %10s %12s", "method", "create", "pairs/s");
        try (NetnsHandle h = stack.open(NetnsRef.named(host))) {
            for (int w = 0; w < 3; w++) { // warm-up: jnr-ffi, JIT
                h.links().addAll(specs.subList(0, 100));
                h.links().deleteAll(refs.subList(0, 100));
                for (LinkSpec s : specs.subList(0, 50)) {
                    h.links().add(s);
                }
                h.links().deleteAll(refs.subList(0, 50));
            }
            double[] ipC = new double[REPS];
            double[] ipD = new double[REPS];
            double[] batchC = new double[REPS];
            double[] batchD = new double[REPS];
            double[] seqC = new double[REPS];
            for (int r = 0; r < REPS; r++) {
                // alternate who goes first, so that neither always meets the other's leftovers (deferred frees)
                for (int turn = 0; turn < 3; turn++) {
                    int which = (turn + r) % 3;
                    Thread.sleep(SETTLE_MS); // let the kernel finish the previous round's cleanup
                    long t0 = System.nanoTime();
                    if (which == 0) {
                        sandbox.run("ip", "-n", host, "-b", addFile.toString());
                    } else if (which == 1) {
                        h.links().addAll(specs);
                    } else {
                        for (LinkSpec s : specs) {
                            h.links().add(s);
                        }
                    }
                    long t1 = System.nanoTime();
                    assertEquals(N + 1, IpJson.ip(sandbox, peers, "link", "show").size());
                    double[] c = which == 0 ? ipC : which == 1 ? batchC : seqC;
                    c[r] = ms(t1 - t0);
                    row((which == 0 ? "ip -batch" : which == 1 ? "patchbay addAll" : "patchbay add x N") + " (rep " + (r + 1) + ")", c[r]);
                    // untimed cleanup: dropping the peers' namespace removes both ends of every pair in one kernel batch
                    sandbox.run("ip", "netns", "del", peers);
                    sandbox.run("ip", "netns", "add", peers);
                }
            }
            line("");
            line("medians (and best of %d):", REPS);
            rowBest("ip -batch", median(ipC), min(ipC));
            rowBest("patchbay addAll (batched)", median(batchC), min(batchC));
            rowBest("patchbay add one by one", median(seqC), min(seqC));
            line("ratio create pairs/s, batched / ip -batch:     %.2f (best: %.2f)", median(ipC) / median(batchC), min(ipC) / min(batchC));
            line("ratio create pairs/s, one by one / ip -batch:  %.2f (best: %.2f)", median(ipC) / median(seqC), min(ipC) / min(seqC));
            line("");
            line("# deleting %d pairs one request each (every unregister waits for an RCU grace period), ms", NDEL);
            for (int r = 0; r < REPS; r++) {
                Thread.sleep(SETTLE_MS);
                h.links().addAll(specs.subList(0, NDEL));
                long t0 = System.nanoTime();
                sandbox.run("ip", "-n", host, "-b", delFile.toString());
                long t1 = System.nanoTime();
                Thread.sleep(SETTLE_MS);
                h.links().addAll(specs.subList(0, NDEL));
                long t2 = System.nanoTime();
                h.links().deleteAll(refs.subList(0, NDEL));
                long t3 = System.nanoTime();
                ipD[r] = ms(t1 - t0);
                batchD[r] = ms(t3 - t2);
                line("%-28s %10.1f %10.1f", "rep " + (r + 1) + ": ip -batch / deleteAll", ipD[r], batchD[r]);
            }
            line("ratio delete pairs/s, deleteAll / ip -batch:   %.2f", median(ipD) / median(batchD));
            line("");
            latencies(h);
        } finally {
            Files.deleteIfExists(addFile);
            Files.deleteIfExists(delFile);
            String text = report.toString();
            System.out.println(text);
            Path out = Path.of(System.getProperty("bench.out", "target/bench-results.txt"));
            Files.writeString(out, text);
        }
    }

    private void latencies(NetnsHandle h) {
        line("# in-process latency per operation, %d samples after %d warm-up (microseconds)", SAMPLES, SAMPLES / 3);
        line("%-44s %8s %8s %8s", "operation", "median", "p90", "max");
        h.links().add(LinkSpec.Bridge.named("lbr0"));
        h.links().setUp(LinkRef.name("lbr0"), true);
        int br = h.links().get(LinkRef.name("lbr0")).index();
        h.addresses().add(LinkRef.index(br), IpPrefix.parse("10.99.0.1/16"));
        int total = SAMPLES + SAMPLES / 3;
        long[] linkAdd = new long[total];
        long[] linkDel = new long[total];
        long[] addrAdd = new long[total];
        long[] addrAddByName = new long[total];
        long[] routeAdd = new long[total];
        long[] routeDel = new long[total];
        for (int i = 0; i < total; i++) {
            LinkSpec s = LinkSpec.Veth.pair("la" + i, "lp" + i);
            long t0 = System.nanoTime();
            h.links().add(s);
            long t1 = System.nanoTime();
            h.addresses().add(LinkRef.index(br), IpPrefix.parse("10.98." + (i / 250) + "." + (i % 250 + 1) + "/32"));
            long t2 = System.nanoTime();
            h.addresses().add(LinkRef.name("lbr0"), IpPrefix.parse("10.97." + (i / 250) + "." + (i % 250 + 1) + "/32"));
            long t3 = System.nanoTime();
            Route r = new Route(IpPrefix.parse("10.200." + (i / 250) + "." + (i % 250) + "/32"), IpAddresses.parse("gw", "10.99.0.254"),
                    null, null, null, null, null);
            h.routes().add(r);
            long t4 = System.nanoTime();
            h.routes().delete(r);
            long t5 = System.nanoTime();
            linkAdd[i] = t1 - t0;
            addrAdd[i] = t2 - t1;
            addrAddByName[i] = t3 - t2;
            routeAdd[i] = t4 - t3;
            routeDel[i] = t5 - t4;
        }
        List<LinkRef> la = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            long t0 = System.nanoTime();
            h.links().delete(LinkRef.name("la" + i));
            linkDel[i] = System.nanoTime() - t0;
            la.add(LinkRef.name("la" + i));
        }
        stat("link add veth (request + read back)", linkAdd);
        stat("addr add, link by index", addrAdd);
        stat("addr add, link by name (+1 lookup)", addrAddByName);
        stat("route add via gateway", routeAdd);
        stat("route del", routeDel);
        stat("link del veth (kernel RCU wait)", linkDel);
        long t0 = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            try (NetnsHandle other = stack.open(h.netns())) {
                other.links().find(LinkRef.index(1));
            }
        }
        line("%-44s %8.0f", "open handle (enter namespace) + 1 get + close", (System.nanoTime() - t0) / 200 / 1000.0);
        h.links().delete(LinkRef.name("lbr0"));
    }

    private void stat(String name, long[] samples) {
        long[] s = Arrays.copyOfRange(samples, SAMPLES / 3, samples.length);
        Arrays.sort(s);
        line("%-44s %8.0f %8.0f %8.0f", name, s[s.length / 2] / 1000.0, s[(int) (s.length * 0.9)] / 1000.0, s[s.length - 1] / 1000.0);
    }

    private void rowBest(String name, double median, double best) {
        line("%-28s %10.1f %12.0f   best %7.1f ms = %6.0f pairs/s", name, median, N / (median / 1000.0), best, N / (best / 1000.0));
    }

    static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    private void row(String name, double create) {
        line("%-28s %10.1f %12.0f", name, create, N / (create / 1000.0));
    }

    private void line(String fmt, Object... args) {
        report.append(String.format(Locale.ROOT, fmt, args)).append('\n');
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    @SuppressWarnings("unused")
    private static void ignore(IOException e) {
    }
}
