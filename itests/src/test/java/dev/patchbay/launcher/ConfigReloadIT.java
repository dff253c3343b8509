package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The configuration file with the real daemon: SIGHUP applies a good file's live settings (the repair interval: rules
 * someone removed come back; the log level: requests are no longer logged), names the others, and refuses a bad file
 * (named, at error level) while serving on with what it had; a bad file at start stops the command and the daemon.
 */
@NetnsTest
class ConfigReloadIT {

    @Test
    void sighupAppliesAGoodFileAndRefusesABadOne(Sandbox sandbox) throws Exception {
        Path dir = Files.createTempDirectory("pb-conf");
        Path conf = dir.resolve("patchbay.conf");
        Files.writeString(conf, "# the test's\nlog-level = info\nrepair-seconds = 3600\nfirewall = nftables\n");
        Path state = Files.createTempDirectory("pb-state");
        Cli cli = new Cli(state, Files.createTempDirectory("pb-run")); // its own configuration (none): a bad file would stop it
        String outside = sandbox.netns("out");
        Topo.uplink(sandbox, outside);
        Process daemon = cli.startDaemon(Map.of("PATCHBAY_STATE_DIR", state.toString(), "PATCHBAY_CONFIG", conf.toString()));
        Path log = FirewallRepairIT.log(daemon);
        try {
            cli.run("network", "create", "cf", "--subnet", "10.93.0.0/24", "--bridge", "pbcf0", "--masquerade", "--uplink", "up0").ok();
            waitFor(log, "request from root pid ", ": patchbay network create");
            sandbox.run("nft", "delete", "table", "inet", "patchbay"); // someone removes Patchbay's rules
            Thread.sleep(3000);
            assertFalse(Files.readString(log).contains("re-applied"), "every 3600 s: not yet put back");

            Files.writeString(conf, "log-level = info\nrepair-seconds = 1\nfirewall = nftables\nstate-dir = /nonexistent\n");
            hangup(daemon);
            waitFor(log, "configuration: SIGHUP: read " + conf + ": repair-seconds 3600 -> 1\n");
            waitFor(log, "configuration: state-dir takes effect after a restart"); // logged after the line above, not with it
            waitFor(log, "re-applied the firewall rules of");
            waitFor(log, "drift repair now every 1 s (was 3600 s)");
            sandbox.run("nft", "list", "table", "inet", "patchbay");
            assertTrue(cli.run("network", "ls").ok().out().contains("cf"));

            Files.writeString(conf, "log-level = warning\nrepair-seconds = 1\nfirewall = nftables\n");
            hangup(daemon);
            waitFor(log, "configuration: SIGHUP: read " + conf + ": log-level info -> warning\n");
            long requests = count(log, "request from");
            cli.run("network", "ls").ok();

            Files.writeString(conf, "log-level = info\nrepair-secnds = 5\n");
            hangup(daemon);
            String refused = "configuration error: SIGHUP: refused " + conf + " line 2: unknown key \"repair-secnds\" (value \"5\"); did you mean"
                    + " repair-seconds?; keeping the configuration it had";
            waitFor(log, refused);
            assertTrue(Files.readString(log).contains(" error patchbay: daemon: " + refused), "at error level: " + Files.readString(log));
            cli.run("network", "ls").ok();
            assertTrue(daemon.isAlive(), "it serves on");
            assertEquals(requests, count(log, "request from"), "still at log-level warning: no request logged");

            Files.writeString(conf, "log-level = info\nrepair-seconds = 1\nfirewall = nftables\n");
            hangup(daemon);
            waitFor(log, "configuration: SIGHUP: read " + conf + ": log-level warning -> info");
            cli.run("network", "ls").ok();
            waitFor(log, "request from root pid ", ": patchbay network ls");
            assertEquals(requests + 1, count(log, "request from"), "logged again, by the daemon that served all along");
        } finally {
            cli.run("network", "rm", "cf");
            daemon.destroy();
            daemon.waitFor(30, TimeUnit.SECONDS);
            sandbox.run("ip", "link", "del", "up0");
        }
    }

    @Test
    void aBadFileAtStartStopsTheCommandAndTheDaemon(Sandbox sandbox) throws Exception {
        Path conf = Files.createTempDirectory("pb-conf").resolve("patchbay.conf");
        Files.writeString(conf, "repair-seconds = soon\n");
        String why = "patchbay: " + conf + " line 1: repair-seconds = \"soon\": must be a whole number of seconds from 1 to 99999";
        Path run = Files.createTempDirectory("pb-run");
        Cli cli = new Cli(Files.createTempDirectory("pb-state"), run, Map.of("PATCHBAY_CONFIG", conf.toString()));
        Cli.Run r = cli.run("network", "ls");
        assertEquals(2, r.code(), r.err());
        assertEquals(why + "\n", r.err());

        Path out = Files.createTempFile("pb-daemon", ".log");
        ProcessBuilder pb = new ProcessBuilder(Cli.DIST.resolve("bin/patchbay").toString(), "daemon").redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().put("PATCHBAY_RUN_DIR", run.toString());
        pb.environment().put("PATCHBAY_CONFIG", conf.toString());
        Process daemon = pb.start();
        assertTrue(daemon.waitFor(60, TimeUnit.SECONDS), "the daemon refuses to start");
        assertEquals(2, daemon.exitValue());
        assertTrue(Files.readString(out).contains(why), Files.readString(out));
        try (var files = Files.list(run)) {
            assertFalse(files.anyMatch(f -> f.toString().endsWith(".sock")), "no socket");
        }
    }

    private static void hangup(Process daemon) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-HUP", Long.toString(daemon.pid())).inheritIO().start().waitFor());
    }

    private static long count(Path log, String text) throws Exception {
        return Files.readAllLines(log).stream().filter(l -> l.contains(text)).count();
    }

    /** Waits for a line of the daemon's log holding {@code parts} in this order (a trailing newline: at the line's end). */
    private static void waitFor(Path log, String... parts) throws Exception {
        StringBuilder re = new StringBuilder();
        for (String p : parts) { // a part ending in a newline ends the line
            boolean end = p.endsWith("\n");
            re.append(re.length() == 0 ? "" : ".*").append(java.util.regex.Pattern.quote(end ? p.substring(0, p.length() - 1) : p)).append(end ? "$" : "");
        }
        java.util.regex.Pattern line = java.util.regex.Pattern.compile(re.toString());
        String text = String.join("...", parts);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (Files.readString(log).lines().anyMatch(l -> line.matcher(l).find())) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not in the daemon's log within 30 s: " + text + "\n" + Files.readString(log));
    }
}
