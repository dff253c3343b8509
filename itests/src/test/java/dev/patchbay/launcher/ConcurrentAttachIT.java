package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * 64 containers attach at once (64 CLI processes, one daemon): all succeed, distinct addresses, all reachable, all
 * detach. And processes without a daemon, each with its own view of the state logs, attach and publish at once.
 */
@NetnsTest
class ConcurrentAttachIT {
    static final int N = 64;

    @Test
    void sixtyFourAttachesAtOnce(Sandbox sandbox) throws Exception {
        Cli cli = new Cli(Files.createTempDirectory("pb-state"), Files.createTempDirectory("pb-run"));
        Process daemon = cli.startDaemon();
        List<String> ns = new ArrayList<>();
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < N; i++) {
            String n = sandbox.name("c" + i);
            ns.add(n);
            batch.append("netns add ").append(n).append('\n');
        }
        var file = Files.createTempFile("netns", ".batch");
        Files.writeString(file, batch.toString());
        sandbox.run("ip", "-b", file.toString());
        ExecutorService pool = Executors.newFixedThreadPool(N);
        try {
            cli.run("network", "create", "many", "--subnet", "10.83.0.0/24", "--bridge", "pbmany0", "--masquerade").ok();
            atOnce(pool, ns, n -> cli.run("attach", "many", "--netns", n));
            Set<String> ips = new HashSet<>();
            for (JsonElement a : JsonParser.parseString(cli.run("-o", "json", "ls", "many").ok().out()).getAsJsonArray()) {
                ips.add(a.getAsJsonObject().getAsJsonArray("addresses").get(0).getAsString());
            }
            assertEquals(N, ips.size(), "distinct addresses: " + ips);
            for (int i = 0; i < N; i += 9) {
                assertTrue(sandbox.ping(ns.get(i), "10.83.0.1"), ns.get(i) + " reaches the gateway");
            }
            assertTrue(sandbox.ping(ns.get(0), ips.stream().filter(ip -> !ip.equals("10.83.0.2/24")).findFirst().orElseThrow().split("/")[0]));
            atOnce(pool, ns, n -> cli.run("detach", "many", "--netns", n));
            assertEquals("[]", cli.run("-o", "json", "ls", "many").ok().out().trim());
        } finally {
            pool.shutdownNow();
            cli.run("network", "rm", "--force", "many");
            daemon.destroy();
            daemon.waitFor(10, TimeUnit.SECONDS);
        }
        assertTrue(!sandbox.run("ip", "-o", "link", "show").contains("veth"), "no veth left");
    }

    @Test
    void processesWithoutADaemonShareTheStateLogs(Sandbox sandbox) throws Exception {
        int n = 6;
        java.nio.file.Path state = Files.createTempDirectory("pb-state");
        Cli cli = new Cli(state, Files.createTempDirectory("pb-run")); // no daemon: every call is its own JVM
        List<String> ns = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ns.add(sandbox.netns("p" + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            cli.run("network", "create", "procs", "--subnet", "10.84.0.0/24", "--bridge", "pbprocs0", "--masquerade").ok();
            atOnce(pool, ns, c -> cli.run("attach", "procs", "--netns", c, "--publish", (31000 + ns.indexOf(c)) + ":80"));
            assertEquals(n, JsonParser.parseString(cli.run("-o", "json", "ls", "procs").ok().out()).getAsJsonArray().size(),
                    "every attachment recorded");
            String rules = cli.run("-o", "json", "firewall", "show").ok().out();
            for (String c : ns) {
                assertTrue(rules.contains("att:procs/" + c), "owner of " + c + " recorded: " + rules);
            }
            assertTrue(cli.run("attach", "procs", "--netns", sandbox.netns("late"), "--publish", "31000:80").code() != 0,
                    "a port another process published is refused");
            atOnce(pool, ns, c -> cli.run("detach", "procs", "--netns", c));
            assertEquals("[]", cli.run("-o", "json", "ls", "procs").ok().out().trim());
            assertTrue(!cli.run("-o", "json", "firewall", "show").ok().out().contains("att:procs/"), "no owner left");
            cli.run("network", "rm", "procs").ok();
            try (var files = Files.walk(state)) {
                List<String> left = files.filter(Files::isRegularFile).map(f -> state.relativize(f).toString())
                        .filter(f -> f.startsWith("networks/") || f.startsWith("attachments/") || f.startsWith("journal/")).toList();
                assertEquals(List.of(), left, "no network, attachment or journal state left");
            }
        } finally {
            pool.shutdownNow();
            cli.run("network", "rm", "--force", "procs");
        }
        assertTrue(!sandbox.run("ip", "-o", "link", "show").contains("veth"), "no veth left");
    }

    /** Runs {@code call} for every container at once; each must succeed. */
    private static void atOnce(ExecutorService pool, List<String> containers, java.util.function.Function<String, Cli.Run> call) throws Exception {
        List<Future<Cli.Run>> runs = new ArrayList<>();
        for (String c : containers) {
            runs.add(pool.submit(() -> call.apply(c)));
        }
        for (Future<Cli.Run> f : runs) {
            f.get(300, TimeUnit.SECONDS).ok();
        }
    }
}
