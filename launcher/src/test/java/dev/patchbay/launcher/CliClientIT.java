package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.launcher.CniShimTest.Run;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * bin/patchbay, the C client (src/main/c/patchbay-cli.c), against bin/patchbay-jvm, the JVM's DaemonClient: the same
 * commands give the same stdout, stderr and exit code, byte for byte. Where the client must have answered by itself
 * (through the daemon, or refusing a socket) it runs with JAVA=/bin/false: had it started the JVM path, that would
 * have failed with nothing on stdout.
 */
@NetnsTest
class CliClientIT {
    static final Path CLIENT = Cli.DIST.resolve("bin/patchbay");
    static final Path JVM = Cli.DIST.resolve("bin/patchbay-jvm");

    private static Run run(Path program, Cli cli, Map<String, String> extra, String... args) throws Exception {
        Map<String, String> env = Within.cliEnv(cli);
        env.putAll(extra);
        return Within.run(60, Within.argv(program, args), env, new byte[0]);
    }

    /** Through the client with no JVM to fall back on. */
    private static Run client(Cli cli, String... args) throws Exception {
        return run(CLIENT, cli, Map.of("JAVA", "/bin/false"), args);
    }

    private static Run jvm(Cli cli, String... args) throws Exception {
        return run(JVM, cli, Map.of(), args);
    }

    private static void same(Run c, Run j, String what) {
        assertEquals(j.err(), c.err(), what + ": stderr");
        assertEquals(j.out(), c.out(), what + ": stdout");
        assertEquals(j.code(), c.code(), what + ": exit code");
    }

    private static final List<List<String>> COMMANDS = List.of(
            List.of("network", "create", "same", "--subnet", "10.93.0.0/24", "--bridge", "pbsame0"),
            List.of("network", "ls", "-o", "json"),
            List.of("network", "ls"),
            List.of("-o", "json", "ls"),
            List.of("network", "create", "bad", "--subnet", "10.93.1.300/24"), // a bad argument: exit 2, the value named
            List.of("network", "create", "same", "--subnet", "10.93.2.0/24"), // exists: the daemon's error
            List.of("netwerk", "ls"), // an unknown command
            List.of("--help"),
            List.of("network", "create", "--help"),
            List.of("version"),
            List.of("network", "rm", "same"));

    /** The same commands from the same state through each path (each ends by removing what it made). */
    @Test
    void theClientAnswersAsTheJvmThroughTheDaemon(Sandbox sandbox) throws Exception {
        Cli cli = Cli.fresh();
        Process daemon = cli.startDaemon(); // no PATCHBAY_STATE_DIR: each request names it (--state-dir from the client's)
        try {
            List<Run> viaClient = new ArrayList<>();
            List<Run> viaJvm = new ArrayList<>();
            for (List<String> c : COMMANDS) {
                viaClient.add(client(cli, c.toArray(String[]::new)));
            }
            for (List<String> c : COMMANDS) {
                viaJvm.add(jvm(cli, c.toArray(String[]::new)));
            }
            for (int i = 0; i < COMMANDS.size(); i++) {
                same(viaClient.get(i), viaJvm.get(i), String.join(" ", COMMANDS.get(i)));
            }
            assertEquals(0, viaClient.get(0).code(), viaClient.get(0).err());
            assertTrue(viaClient.get(1).out().contains("\"10.93.0.0/24\""), viaClient.get(1).out());
            assertEquals(2, viaClient.get(4).code(), viaClient.get(4).err());
            assertTrue(viaClient.get(4).err().contains("10.93.1.300/24"), "the value is named: " + viaClient.get(4).err());
            assertTrue(viaClient.get(7).out().startsWith("Usage: patchbay"), viaClient.get(7).out());
            assertEquals(0, viaClient.get(10).code(), viaClient.get(10).err());
            // the client's state directory went with each request: the daemon's default holds nothing of this test
            assertTrue(Files.exists(cli.stateDir().resolve("networks")), "the test's state directory was used");
        } finally {
            jvm(cli, "network", "rm", "--force", "same");
            daemon.destroy();
            daemon.waitFor(60, TimeUnit.SECONDS);
        }
        cli.assertNoRecords();
    }

    /** No daemon and none to start (Within: PATCHBAY_DAEMON_AUTOSTART=off): the client runs the JVM path, which works in-process. */
    @Test
    void withNoDaemonTheClientRunsTheJvm(Sandbox sandbox) throws Exception {
        Cli cli = Cli.fresh();
        for (List<String> c : List.of(List.of("network", "ls", "-o", "json"), List.of("network", "create", "x", "--subnet", "10.93.3.300/24"))) {
            Run viaClient = run(CLIENT, cli, Map.of(), c.toArray(String[]::new));
            same(viaClient, jvm(cli, c.toArray(String[]::new)), String.join(" ", c));
            same(viaClient, run(CLIENT, cli, Map.of("PATCHBAY_DAEMON", "off"), c.toArray(String[]::new)), "PATCHBAY_DAEMON=off " + c);
        }
        // a start that cannot happen (a run folder others may write): named in the JVM's line, then the JVM works in-process
        Path open = Files.createTempDirectory("pb-run-open");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Cli openCli = new Cli(cli.stateDir(), open);
        Map<String, String> on = Map.of("PATCHBAY_DAEMON_AUTOSTART", "on");
        Run started = run(CLIENT, openCli, on, "network", "ls");
        same(started, run(JVM, openCli, on, "network", "ls"), "a start that cannot happen");
        assertTrue(started.err().startsWith("patchbay: no daemon started (the run folder " + open + " is not a folder of root's alone)"),
                started.err());
        assertEquals(0, started.code(), started.err());
        Run noJava = client(cli, "network", "ls");
        assertEquals("", noJava.out(), "with no daemon nothing answers but the JVM path (here /bin/false)");
        assertTrue(noJava.code() != 0);
        // a daemon that serves, and PATCHBAY_DAEMON=off: the JVM path all the same
        Process daemon = cli.startDaemon();
        try {
            assertEquals(0, client(cli, "network", "ls").code(), "through the daemon");
            Run off = run(CLIENT, cli, Map.of("JAVA", "/bin/false", "PATCHBAY_DAEMON", "off"), "network", "ls");
            assertTrue(off.code() != 0 && off.out().isEmpty(), "PATCHBAY_DAEMON=off: not forwarded: " + off);
        } finally {
            daemon.destroy();
            daemon.waitFor(60, TimeUnit.SECONDS);
        }
    }

    /**
     * The settings: the JVM reads the configuration file and every setting's variable before it forwards, refusing a bad
     * one; the client reads them itself only where that is the same (no setting in the file; the run and state folders
     * and the autostart's variables), else the JVM path does. Both give the same answer either way.
     */
    @Test
    void settingsAreReadAsTheJvmReadsThem(Sandbox sandbox) throws Exception {
        Cli cli = Cli.fresh();
        Path dir = Files.createTempDirectory("pb-conf");
        Path comments = Files.writeString(dir.resolve("comments.conf"), "# every key at its default\n\n  # state-dir = /var/lib/patchbay\n");
        Path setsState = Files.writeString(dir.resolve("state.conf"), "state-dir = " + cli.stateDir() + "\n");
        Path unknown = Files.writeString(dir.resolve("unknown.conf"), "# a typo\nstate-dri = /x\n");
        Process daemon = cli.startDaemon();
        try {
            // only comments: the client forwards by itself
            Run c = run(CLIENT, cli, Map.of("JAVA", "/bin/false", "PATCHBAY_CONFIG", comments.toString()), "network", "ls");
            assertEquals(0, c.code(), c.err());
            same(c, run(JVM, cli, Map.of("PATCHBAY_CONFIG", comments.toString()), "network", "ls"), "a file of comments");
            // the state folder from the file, not the environment: the JVM path reads it, and forwards
            Map<String, String> fileOnly = new HashMap<>(Within.cliEnv(cli));
            fileOnly.remove("PATCHBAY_STATE_DIR");
            fileOnly.put("PATCHBAY_CONFIG", setsState.toString());
            same(Within.run(60, Within.argv(CLIENT, "network", "ls", "-o", "json"), fileOnly, new byte[0]),
                    Within.run(60, Within.argv(JVM, "network", "ls", "-o", "json"), fileOnly, new byte[0]), "state-dir from the file");
            // refused settings: exit 2, the same line
            for (Map<String, String> bad : List.of(Map.of("PATCHBAY_CONFIG", unknown.toString()),
                    Map.of("PATCHBAY_CONFIG", dir.resolve("missing.conf").toString()), Map.of("PATCHBAY_FW", "Bad!"),
                    Map.of("PATCHBAY_RUN_DIR", "relative/run"), Map.of("PATCHBAY_DAEMON_IDLE", "1234567"),
                    Map.of("PATCHBAY_DAEMON_AUTOSTART", "maybe"))) {
                Run viaClient = run(CLIENT, cli, bad, "network", "ls");
                same(viaClient, run(JVM, cli, bad, "network", "ls"), bad.toString());
                assertEquals(2, viaClient.code(), bad + ": " + viaClient.err());
            }
        } finally {
            daemon.destroy();
            daemon.waitFor(60, TimeUnit.SECONDS);
            LeastPrivilegeIT.delete(dir);
        }
    }

    /** A socket not to talk to: refused in the JVM's words, sending nothing (the fake daemon of LeastPrivilegeIT, nobody's). */
    @Test
    void anUntrustedSocketIsRefusedAsTheJvmRefusesIt(Sandbox sandbox) throws Exception {
        LeastPrivilegeIT.needs();
        Path run = LeastPrivilegeIT.folder("pb-run-open");
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path sock = LeastPrivilegeIT.socketIn(run);
        Process fake = LeastPrivilegeIT.fakeDaemon(sock);
        try {
            Cli cli = new Cli(Files.createTempDirectory("pb-state"), run);
            refusedAlike(cli, "not a socket owned by root (uid 65534)");
            assertFalse(LeastPrivilegeIT.reached(fake), "nothing was sent to it");
            Files.setAttribute(sock, "unix:uid", 0);
            refusedAlike(cli, "is not root's alone (owner uid 0, mode 777)");
            assertFalse(LeastPrivilegeIT.reached(fake), "nothing was sent to it");
            // a symbolic link in place of the socket (to root's own socket, even): not a socket
            Path moved = sock.resolveSibling("moved.sock");
            Files.move(sock, moved);
            Files.createSymbolicLink(sock, moved);
            Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwx------"));
            refusedAlike(cli, "not a socket owned by root (uid 0)");
            assertFalse(LeastPrivilegeIT.reached(fake), "nothing was sent to it");
            // root's socket in root's folder, served by nobody's process: known once connected (SO_PEERCRED), nothing sent
            Files.delete(sock);
            Files.move(moved, sock);
            refusedAlike(cli, "the process serving it is not root's (user nobody)");
        } finally {
            fake.destroyForcibly();
            fake.waitFor(30, TimeUnit.SECONDS);
            LeastPrivilegeIT.delete(run);
        }
    }

    private static void refusedAlike(Cli cli, String why) throws Exception {
        Run c = client(cli, "network", "ls");
        same(c, jvm(cli, "network", "ls"), why);
        assertEquals(3, c.code(), c.err());
        assertEquals(1, c.err().strip().lines().count(), "one line: " + c.err());
        assertTrue(c.err().contains("refusing") && c.err().contains(why), c.err());
    }

    /** A stopped daemon: the same one line from both paths, within the 10 s of silence (and a margin). */
    @Test
    void aStoppedDaemonIsNamedAlike(Sandbox sandbox) throws Exception {
        Cli cli = Cli.fresh();
        Process daemon = cli.startDaemon();
        try {
            assertEquals(0, client(cli, "network", "ls").code());
            Within.signal(daemon.pid(), "STOP");
            Run c;
            Run j;
            long t0 = System.nanoTime();
            try {
                CompletableFuture<Run> viaClient = Within.async(() -> Within.run(30, Within.argv(CLIENT, "network", "ls"),
                        with(Within.cliEnv(cli), "JAVA", "/bin/false"), new byte[0]));
                CompletableFuture<Run> viaJvm = Within.async(() -> Within.run(30, Within.argv(JVM, "network", "ls"), Within.cliEnv(cli), new byte[0]));
                c = viaClient.get(60, TimeUnit.SECONDS);
                System.out.printf("the client named the stopped daemon after %.1f s%n", (System.nanoTime() - t0) / 1e9);
                j = viaJvm.get(60, TimeUnit.SECONDS);
            } finally {
                Within.signal(daemon.pid(), "CONT");
            }
            same(c, j, "a stopped daemon");
            assertEquals(1, c.code(), c.err());
            assertEquals(1, c.err().strip().lines().count(), "one line: " + c.err());
            assertTrue(c.err().contains("does not answer (nothing for 10 s") && c.err().contains("nothing was run"), c.err());
        } finally {
            daemon.destroy();
            daemon.waitFor(60, TimeUnit.SECONDS);
        }
    }

    private static Map<String, String> with(Map<String, String> env, String k, String v) {
        Map<String, String> all = new HashMap<>(env);
        all.put(k, v);
        return all;
    }
}
