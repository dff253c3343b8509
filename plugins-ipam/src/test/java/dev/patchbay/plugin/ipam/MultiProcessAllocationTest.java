package dev.patchbay.plugin.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.patchbay.core.ipam.AllocationRecord;
import dev.patchbay.core.model.IpAddresses;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many OS processes (and threads) allocating and releasing against one data directory at once. */
class MultiProcessAllocationTest {
    static final int PROCESSES = 32;
    static final int PER_PROCESS = 8;

    @TempDir
    Path tmp;

    /** JVM flags for a quick start: the children do little work. */
    static List<String> javaCommand(Class<?> main) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ArrayList<>(List.of(java.toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k", "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), main.getName()));
    }

    @Test
    void thirtyTwoProcessesTimesEightGetDistinctAddressesAndNoReleaseIsLost() throws Exception {
        Path data = tmp.resolve("data");
        Path go = tmp.resolve("go");
        List<Process> procs = new ArrayList<>();
        for (int p = 0; p < PROCESSES; p++) {
            List<String> cmd = javaCommand(AllocateMain.class);
            cmd.addAll(List.of(data.toString(), "mp", "10.20.0.0/16", "p" + p, String.valueOf(PER_PROCESS), go.toString()));
            procs.add(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start());
        }
        Files.writeString(go, "go");
        List<String> allocated = new ArrayList<>();
        Set<String> released = new HashSet<>();
        for (Process p : procs) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("an allocating process failed: " + out);
            }
            for (String line : out.lines().toList()) {
                (line.startsWith("A ") ? allocated : new ArrayList<String>()).add(line.substring(2));
                if (line.startsWith("R ")) {
                    released.add(line.substring(2));
                }
            }
        }
        assertEquals(PROCESSES * PER_PROCESS, allocated.size());
        assertEquals(PROCESSES * PER_PROCESS, new HashSet<>(allocated).size(), "an address was handed out twice");
        assertEquals(PROCESSES * PER_PROCESS / 2, released.size(), "releases reported");
        Set<String> expected = new HashSet<>(allocated);
        expected.removeAll(released);
        List<AllocationRecord> left = new HostLocalIpam().list(data, "mp");
        Set<String> onDisk = new HashSet<>();
        for (AllocationRecord r : left) {
            onDisk.add(IpAddresses.format(r.address()));
            int i = Integer.parseInt(r.ownerId().substring(r.ownerId().indexOf('-') + 1));
            assertEquals(0, i % 2, "a released owner still holds " + r.address());
        }
        assertEquals(expected, onDisk, "exactly the unreleased addresses are left");
    }

    @Test
    void manyThreadsInOneJvmGetDistinctAddresses() throws Exception {
        Path data = tmp.resolve("threads");
        Files.createDirectories(data);
        Path go = tmp.resolve("go-threads");
        Files.writeString(go, "go");
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            String prefix = "t" + t;
            done.add(pool.submit(() -> {
                AllocateMain.run(new String[] {data.toString(), "th", "10.30.0.0/16", prefix, "16", go.toString()});
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        List<AllocationRecord> left = new HostLocalIpam().list(data, "th");
        assertEquals(16 * 8, left.size());
        Set<InetAddress> distinct = new HashSet<>();
        left.forEach(r -> distinct.add(r.address()));
        assertEquals(16 * 8, distinct.size());
    }
}
