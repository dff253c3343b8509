package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The daemon's own life: what it leaves when stopped by a signal, and requests that reuse its command lines. */
@NetnsTest
class DaemonIT {

    @Test
    void stoppedBySignalLeavesNoFrameworkCache(Sandbox sandbox) throws Exception {
        Path tmp = Files.createTempDirectory("pb-daemon-tmp");
        Path run = Files.createTempDirectory("pb-run");
        Cli cli = new Cli(Files.createTempDirectory("pb-state"), run);
        Process daemon = cli.startDaemon(Map.of("PATCHBAY_JAVA_OPTS", "-Djava.io.tmpdir=" + tmp));
        try {
            assertEquals(1, felixCaches(tmp).size(), "the running daemon has its cache in its TMPDIR: " + felixCaches(tmp));
            cli.run("network", "ls").ok(); // served by the daemon
        } finally {
            daemon.destroy(); // SIGTERM
        }
        assertTrue(daemon.waitFor(60, TimeUnit.SECONDS), "the daemon exits on SIGTERM");
        assertEquals(List.of(), felixCaches(tmp), "no Felix cache left behind");
        try (Stream<Path> files = Files.list(run)) {
            assertFalse(files.anyMatch(f -> f.toString().endsWith(".sock")), "no socket left behind");
        }
        Files.delete(tmp);
    }

    /** SIGKILL runs no shutdown hook: the cache stays until the next framework start in that TMPDIR sweeps it. */
    @Test
    void cacheOfAKilledDaemonIsSweptByTheNextStart(Sandbox sandbox) throws Exception {
        Path tmp = Files.createTempDirectory("pb-daemon-tmp");
        Path run = Files.createTempDirectory("pb-run");
        Cli cli = new Cli(Files.createTempDirectory("pb-state"), run);
        Map<String, String> env = Map.of("PATCHBAY_JAVA_OPTS", "-Djava.io.tmpdir=" + tmp);
        Process killed = cli.startDaemon(env);
        List<Path> left = felixCaches(tmp);
        killed.destroyForcibly(); // SIGKILL
        assertTrue(killed.waitFor(60, TimeUnit.SECONDS));
        assertEquals(left, felixCaches(tmp), "a killed daemon leaves its cache");
        try (Stream<Path> files = Files.list(run)) {
            files.forEach(f -> f.toFile().delete()); // its socket file too: startDaemon waits for a new one
        }
        Process next = cli.startDaemon(env);
        try {
            List<Path> now = felixCaches(tmp);
            assertEquals(1, now.size(), "only the running daemon's cache: " + now);
            assertFalse(now.containsAll(left), "the dead daemon's cache is gone: " + now);
        } finally {
            next.destroy();
            assertTrue(next.waitFor(60, TimeUnit.SECONDS));
        }
        assertEquals(List.of(), felixCaches(tmp));
        Files.delete(tmp);
    }

    @Test
    void reusedCommandLinesCarryNothingOverBetweenRequests(Sandbox sandbox) throws Exception {
        Cli cli = new Cli(Files.createTempDirectory("pb-state"), Files.createTempDirectory("pb-run"));
        Process daemon = cli.startDaemon();
        String c1 = sandbox.netns("c1");
        String c2 = sandbox.netns("c2");
        String c3 = sandbox.netns("c3");
        try {
            cli.run("network", "create", "reuse", "--subnet", "10.84.0.0/24", "--bridge", "pbreuse0", "--masquerade").ok();
            cli.run("attach", "reuse", "--netns", c1, "--ip", "10.84.0.50", "--ifname", "eth7", "--publish", "18080:80/tcp").ok();
            assertEquals(2, cli.run("attach", "reuse", "--netns", c2, "--bogus").code(), "a usage error in between");
            cli.run("attach", "reuse", "--netns", c2).ok();
            cli.run("attach", "reuse", "--netns", c3, "--publish", "18081:80/tcp").ok();
            JsonObject first = attachment(cli, c1);
            JsonObject second = attachment(cli, c2);
            JsonObject third = attachment(cli, c3);
            assertEquals("10.84.0.50/24", first.getAsJsonArray("addresses").get(0).getAsString());
            assertEquals("eth7", first.get("ifName").getAsString());
            assertNotEquals("10.84.0.50/24", second.getAsJsonArray("addresses").get(0).getAsString(), "no --ip carried over");
            assertEquals("eth0", second.get("ifName").getAsString(), "no --ifname carried over");
            assertEquals(0, second.getAsJsonArray("ports").size(), "no --publish carried over: " + second);
            assertEquals(1, third.getAsJsonArray("ports").size(), "only its own --publish: " + third);
            for (String c : List.of(c1, c2, c3)) {
                cli.run("detach", "reuse", "--netns", c).ok();
            }
            assertEquals("[]", cli.run("-o", "json", "ls", "reuse").ok().out().trim());
        } finally {
            cli.run("network", "rm", "--force", "reuse");
            daemon.destroy();
            daemon.waitFor(60, TimeUnit.SECONDS);
        }
    }

    private static JsonObject attachment(Cli cli, String netns) {
        for (var a : JsonParser.parseString(cli.run("-o", "json", "ls", "reuse").ok().out()).getAsJsonArray()) {
            if (a.getAsJsonObject().get("netnsPath").getAsString().endsWith("/" + netns)) {
                return a.getAsJsonObject();
            }
        }
        throw new AssertionError("no attachment of " + netns);
    }

    private static List<Path> felixCaches(Path tmp) throws Exception {
        try (Stream<Path> files = Files.list(tmp)) {
            return files.filter(f -> f.getFileName().toString().startsWith("patchbay-felix-")).toList();
        }
    }
}
