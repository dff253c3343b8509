package dev.patchbay.bench;

import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Benchmark runner (issue 23), not a test: what adding and removing one backend of a service costs when it has 1
 * backend and when it has 100, through Patchbay's in-process (daemon) path, on each firewall backend. nftables keeps a
 * service's backends in one rule's map; iptables needs one statistic DNAT per backend. No peer has a load balancer for
 * plain containers on one host (Docker needs Swarm, kube-proxy Kubernetes), so the ratio is 100 backends against 1.
 * Prints a table and writes {@code target/bench/service-bench.txt}. Run with {@code -Pbench -Dit.test=ServiceBenchIT}.
 */
@NetnsTest
class ServiceBenchIT {
    static final int ROUNDS = Integer.getInteger("patchbay.bench.service.rounds", 30);
    static final int MANY = 100;
    /** {@code -Dpatchbay.bench.service.backends=nftables} runs one firewall backend only (e.g. under a JFR recording). */
    static final List<String> BACKENDS = List.of(System.getProperty("patchbay.bench.service.backends", "nftables,iptables").split(","));

    @Test
    void oneBackendMoreOrLessWithOneAndWithAHundred(Sandbox sandbox) throws Exception {
        Report report = new Report();
        report.line("# Patchbay service benchmark — %s", ZonedDateTime.now());
        report.line("# %d add+remove rounds per row; %s", ROUNDS, AttachBenchIT.machine());
        List<String> names = new ArrayList<>();
        List<String> add = new ArrayList<>();
        for (int i = 0; i < MANY + 2; i++) {
            names.add(sandbox.name("sv" + i));
            add.add("netns add " + names.get(i));
        }
        Procs.ipBatch(null, add, false);
        for (String backend : BACKENDS) {
            Path state = Files.createTempDirectory("pb-bench-svc");
            try (Patchbay pb = new Patchbay.InProcess(AttachBenchIT.DIST, state)) {
                pb.call("firewall", "backend", backend);
                pb.call("network", "create", "sb", "--subnet", "10.210.0.0/22", "--bridge", "pbsb0", "--masquerade");
                for (String n : names) {
                    pb.call("attach", "sb", "--netns", n);
                }
                report.header("service backend add + rm of one backend, " + backend);
                pb.call("service", "create", "one", "--network", "sb", "--port", "80/tcp", "--backend", names.get(0));
                List<String> hundred = new ArrayList<>(List.of("service", "create", "many", "--network", "sb", "--port", "81/tcp"));
                names.subList(2, MANY + 2).forEach(n -> hundred.addAll(List.of("--backend", n)));
                double create = pb.call(hundred.toArray(String[]::new));
                report.line("   service create with %d backends: %.2f ms (one sample)", MANY, create);
                for (String service : List.of("one", "many")) {
                    List<Double> adds = new ArrayList<>();
                    List<Double> rms = new ArrayList<>();
                    String size = service.equals("one") ? "1" : Integer.toString(MANY);
                    long[] written = new long[2];
                    for (int r = 0; r < ROUNDS; r++) { // each call a JFR event (BenchOp): a recording splits its samples by row
                        long w0 = writtenBytes();
                        adds.add(BenchOp.timed(backend + " add " + size, r + 1, () -> pb.call("service", "backend", "add", service, names.get(1))));
                        long w1 = writtenBytes();
                        rms.add(BenchOp.timed(backend + " rm " + size, r + 1, () -> pb.call("service", "backend", "rm", service, names.get(1))));
                        written[0] += w1 - w0;
                        written[1] += writtenBytes() - w1;
                    }
                    report.row(backend + ": backend add, service of " + size, adds);
                    report.row(backend + ": backend rm, service of " + size, rms);
                    report.line("   bytes this JVM wrote to files (write(2): the state's logs) per add / rm, service of %s: %d / %d", size,
                            written[0] / ROUNDS, written[1] / ROUNDS);
                }
                for (String op : List.of("add", "rm")) {
                    Stats one = report.get(backend + ": backend " + op + ", service of 1");
                    Stats many = report.get(backend + ": backend " + op + ", service of " + MANY);
                    report.line("%-52s %7.2fx   (%.2f ms / %.2f ms)", backend + ": " + op + " with " + MANY + " against 1",
                            many.median() / one.median(), many.median(), one.median());
                }
                pb.call("service", "rm", "one");
                pb.call("service", "rm", "many");
                pb.call("network", "rm", "sb", "--force");
            }
        }
        report.write(Path.of("target", "bench", "service-bench.txt"));
    }

    /** {@code wchar} of /proc/self/io: bytes this process passed to write(2) and its kin (not netlink's sendmsg). */
    static long writtenBytes() throws java.io.UncheckedIOException {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/io"))) {
                if (l.startsWith("wchar:")) {
                    return Long.parseLong(l.substring(6).strip());
                }
            }
            return 0;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
