package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.launcher.CniShimTest.Run;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The daemon that starts itself: a CNI call (the real shim) or a CLI command (the real launcher) that finds no daemon
 * starts one, {@code bin/patchbay daemon --idle}, found by its command line and its {@code PATCHBAY_RUN_DIR}, and
 * killed by pid after each test.
 */
@NetnsTest
class AutostartIT {
    private static final String STATUS_CONF = "{\"cniVersion\":\"1.1.0\",\"name\":\"auto\",\"type\":\"bridge\",\"bridge\":\"auto0\","
            + "\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.66.0.0/24\"}}";
    private final List<Path> runs = new ArrayList<>();

    private Path run() throws Exception {
        Path run = Files.createTempDirectory("pb-auto-run");
        runs.add(run);
        return run;
    }

    @AfterEach
    void killDaemons() throws Exception {
        for (Path run : runs) {
            for (long pid : daemonsOf(run)) {
                ProcessHandle.of(pid).ifPresent(p -> {
                    p.destroy();
                    p.onExit().orTimeout(60, TimeUnit.SECONDS).join();
                });
            }
        }
    }

    /** The daemons serving from {@code run}: processes running {@code launcher.jar daemon} with it as PATCHBAY_RUN_DIR. */
    static List<Long> daemonsOf(Path run) throws Exception {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
                try {
                    String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (!cmdline.contains("launcher.jar\0daemon")) {
                        continue;
                    }
                    String environ = new String(Files.readAllBytes(proc.resolve("environ")), StandardCharsets.UTF_8);
                    if (("\0" + environ).contains("\0PATCHBAY_RUN_DIR=" + run + "\0")) {
                        pids.add(Long.parseLong(proc.getFileName().toString()));
                    }
                } catch (java.io.IOException gone) {
                    // exited meanwhile
                }
            }
        }
        return pids;
    }

    private static Map<String, String> cni(Path run, Path state, String verb, String... kv) {
        Map<String, String> env = CniSeedIT.env(verb, "", "eth0", CniSeedIT.CNI_DIR + ":/usr/lib/cni", state, run);
        env.put("PATCHBAY_DAEMON_AUTOSTART", "on");
        env.put("HOME", "/root");
        for (int i = 0; i + 1 < kv.length; i += 2) {
            env.put(kv[i], kv[i + 1]);
        }
        return env;
    }

    private static Path log(Path run) {
        return run.resolve(DaemonSocket.path().getFileName().toString().replace(".sock", ".log"));
    }

    private static Path sock(Path run) {
        return run.resolve(DaemonSocket.path().getFileName());
    }

    private static long count(String text, String what) {
        return text.lines().filter(l -> l.contains(what)).count();
    }

    /** Request lines of {@code what} from root, with the peer's pid as the kernel gave it (a number, not "?"). */
    private static long requests(String text, String what) {
        java.util.regex.Pattern line = java.util.regex.Pattern.compile("request from root pid [1-9][0-9]*: " + java.util.regex.Pattern.quote(what));
        return text.lines().filter(l -> line.matcher(l).find()).count();
    }

    @Test
    void fiftyConcurrentColdCallsStartOneDaemonAndAllSucceed(Sandbox sandbox) throws Exception {
        Path run = run();
        Path state = Files.createTempDirectory("pb-auto-state");
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            List<Future<Run>> calls = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                String id = "c" + i;
                calls.add(pool.submit(() -> CniShimTest.shim(CniSeedIT.CNI_DIR.resolve("bridge"),
                        cni(run, state, "STATUS", "CNI_CONTAINERID", id), STATUS_CONF)));
            }
            for (Future<Run> call : calls) {
                Run r = call.get(120, TimeUnit.SECONDS);
                assertEquals(0, r.code(), r.out() + r.err());
                assertFalse(r.err().contains("no daemon started"), r.err());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, daemonsOf(run).size(), "one daemon");
        long pid = daemonsOf(run).get(0);
        String environ = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")), StandardCharsets.UTF_8);
        assertFalse(environ.contains("CNI_"), "the call's CNI variables are not handed on: " + environ);
        assertEquals(String.valueOf(pid), session(pid), "a session of its own: killing the shim's process group leaves it");
        assertEquals("/", Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd")).toString());
        String log = Files.readString(log(run));
        assertEquals(1, count(log, "daemon serving"), log);
        assertEquals(0, count(log, "already serves"), log);
        assertEquals(50, requests(log, "CNI STATUS bridge"), "every call went to it: " + log);
        assertTrue(log.contains("(leaves after 300 s idle)"), "the default idle time: " + log);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(log(run))));
    }

    @Test
    void aCliCommandStartsOneAndLaterCommandsUseIt(Sandbox sandbox) throws Exception {
        Path run = run();
        Path state = Files.createTempDirectory("pb-auto-state");
        for (int i = 0; i < 2; i++) {
            Run r = Within.run(30, List.of(Cli.DIST.resolve("bin/patchbay").toString(), "network", "ls"), Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin",
                    "PATCHBAY_RUN_DIR", run.toString(), "PATCHBAY_STATE_DIR", state.toString(), "PATCHBAY_DAEMON_AUTOSTART", "on",
                    "NOTIFY_SOCKET", "/nonexistent", "CNI_COMMAND", "ADD"), new byte[0]);
            assertEquals(0, r.code(), r.out() + r.err());
        }
        assertEquals(1, daemonsOf(run).size());
        // the daemon logs a request after its reply: the C client may have exited before the second line is written
        String log = Files.readString(log(run));
        for (long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); requests(log, "patchbay network ls") < 2 && System.nanoTime() < until; ) {
            Thread.sleep(50);
            log = Files.readString(log(run));
        }
        assertEquals(2, requests(log, "patchbay network ls"), log);
        long pid = daemonsOf(run).get(0);
        String environ = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")), StandardCharsets.UTF_8);
        assertFalse(environ.contains("CNI_COMMAND=") || environ.contains("NOTIFY_SOCKET="), "not handed on: " + environ);
        assertEquals("/", Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd")).toString());
        assertEquals(String.valueOf(pid), session(pid), "a session of its own");
    }

    /**
     * A daemon started by hand finds the namespace served by one a command started (they raced, or the command came
     * first): that one is asked to leave and the hand-started one serves, instead of leaving itself.
     */
    @Test
    void aDaemonStartedByHandServesInPlaceOfOneACommandStarted(Sandbox sandbox) throws Exception {
        Path run = run();
        Path state = Files.createTempDirectory("pb-auto-state");
        Map<String, String> env = Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "PATCHBAY_RUN_DIR", run.toString(),
                "PATCHBAY_STATE_DIR", state.toString(), "PATCHBAY_DAEMON_AUTOSTART", "on");
        List<String> ls = List.of(Cli.DIST.resolve("bin/patchbay").toString(), "network", "ls");
        assertEquals(0, Within.run(30, ls, env, new byte[0]).code());
        List<Long> autostarted = daemonsOf(run);
        assertEquals(1, autostarted.size());
        Path handLog = Files.createTempFile("pb-hand-daemon", ".log");
        ProcessBuilder pb = new ProcessBuilder(Cli.DIST.resolve("bin/patchbay").toString(), "daemon").redirectErrorStream(true)
                .redirectOutput(handLog.toFile());
        pb.environment().putAll(env);
        Process hand = pb.start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(daemonsOf(run).equals(List.of(hand.pid())) && Files.readString(handLog).contains("daemon serving")) && hand.isAlive()
                && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertTrue(hand.isAlive(), "the daemon started by hand stays: " + Files.readString(handLog));
        assertEquals(List.of(hand.pid()), daemonsOf(run), "the one a command started left: " + Files.readString(handLog));
        Run r = Within.run(30, ls, env, new byte[0]);
        assertEquals(0, r.code(), r.out() + r.err());
        String said = Files.readString(handLog);
        assertTrue(said.contains("the daemon a command started (pid " + autostarted.get(0) + ", --idle) serves this namespace: it is asked to leave"), said);
        assertEquals(List.of(hand.pid()), daemonsOf(run));
    }

    /** The session id of a process ({@code /proc/PID/stat}: state ppid pgrp session after the name). */
    private static String session(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[3];
    }

    @Test
    void aBadIdleTimeIsRefusedNamingIt(Sandbox sandbox) throws Exception {
        Run r = Within.run(30, List.of(Cli.DIST.resolve("bin/patchbay").toString(), "daemon", "--idle", "5m"), Map.of("PATH",
                "/usr/sbin:/usr/bin:/sbin:/bin", "PATCHBAY_RUN_DIR", run().toString()), new byte[0]);
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("daemon --idle 5m: seconds, 0 to 999999"), r.err());
    }

    @Test
    void switchedOffNoneStarts(Sandbox sandbox) throws Exception {
        Path run = run();
        Path state = Files.createTempDirectory("pb-auto-state");
        Run r = CniShimTest.shim(CniSeedIT.CNI_DIR.resolve("bridge"), cni(run, state, "STATUS", "PATCHBAY_DAEMON_AUTOSTART", "off"), STATUS_CONF);
        assertEquals(0, r.code(), r.out() + r.err());
        Run cli = Within.run(30, List.of(Cli.DIST.resolve("bin/patchbay").toString(), "network", "ls"), Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin",
                "PATCHBAY_RUN_DIR", run.toString(), "PATCHBAY_STATE_DIR", state.toString(), "PATCHBAY_DAEMON_AUTOSTART", "off"), new byte[0]);
        assertEquals(0, cli.code(), cli.out() + cli.err());
        assertEquals(List.of(), daemonsOf(run));
        try (Stream<Path> files = Files.list(run)) {
            assertEquals(List.of(), files.toList(), "no socket, lock or log");
        }
    }

    @Test
    void anIdleDaemonLeavesAndRemovesItsSocketAndTheNextCallStartsAnother(Sandbox sandbox) throws Exception {
        Path run = run();
        Path state = Files.createTempDirectory("pb-auto-state");
        Run r = CniShimTest.shim(CniSeedIT.CNI_DIR.resolve("bridge"), cni(run, state, "STATUS", "PATCHBAY_DAEMON_IDLE", "2"), STATUS_CONF);
        assertEquals(0, r.code(), r.out() + r.err());
        List<Long> first = daemonsOf(run);
        assertEquals(1, first.size());
        ProcessHandle daemon = ProcessHandle.of(first.get(0)).orElseThrow();
        daemon.onExit().get(60, TimeUnit.SECONDS); // a generous bound: it leaves after 2 s idle
        assertFalse(Files.exists(sock(run)), "its socket is gone");
        assertTrue(Files.readString(log(run)).contains("nobody served for 2 s: leaving"), Files.readString(log(run)));

        r = CniShimTest.shim(CniSeedIT.CNI_DIR.resolve("bridge"), cni(run, state, "STATUS", "PATCHBAY_DAEMON_IDLE", "0"), STATUS_CONF);
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals(1, daemonsOf(run).size(), "a new one");
        String log = Files.readString(log(run));
        assertEquals(2, count(log, "daemon serving"), log);
        assertTrue(log.contains("on " + sock(run) + "\n"), "the second never leaves (PATCHBAY_DAEMON_IDLE=0): " + log);
    }

    /** Without PATCHBAY_DAEMON_IDLE the shim starts {@code daemon --idle configured}: daemon-idle of the file (fails on main: 300 s). */
    @Test
    void aDaemonTheShimStartedTakesItsIdleTimeFromTheConfigurationFile(Sandbox sandbox) throws Exception {
        Path run = run();
        Path state = Files.createTempDirectory("pb-auto-state");
        Path conf = Files.createTempDirectory("pb-auto-conf").resolve("patchbay.conf");
        Files.writeString(conf, "daemon-idle = 2\n");
        Run r = CniShimTest.shim(CniSeedIT.CNI_DIR.resolve("bridge"), cni(run, state, "STATUS", "PATCHBAY_CONFIG", conf.toString()), STATUS_CONF);
        assertEquals(0, r.code(), r.out() + r.err());
        List<Long> started = daemonsOf(run);
        assertEquals(1, started.size());
        ProcessHandle.of(started.get(0)).orElseThrow().onExit().get(60, TimeUnit.SECONDS); // a generous bound: it leaves after 2 s idle
        String log = Files.readString(log(run));
        assertTrue(log.contains("(leaves after 2 s idle)") && log.contains("nobody served for 2 s: leaving"), log);
    }

    @Test
    void aStartThatCannotHappenFallsBackToTheColdPath(Sandbox sandbox) throws Exception {
        Path state = Files.createTempDirectory("pb-auto-state");
        // a run folder others may write: no daemon is started there (nor would the shim talk to one)
        Path open = run();
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Run r = CniShimTest.shim(CniSeedIT.CNI_DIR.resolve("bridge"), cni(open, state, "STATUS"), STATUS_CONF);
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("patchbay: no daemon started (the run folder " + open + " is not a folder of root's alone); running this call without one"), r.err());
        assertEquals(List.of(), daemonsOf(open));
        // a value that is not a number of seconds: named by the shim, and refused by the cold path as any bad setting
        Path run = run();
        String refused = "patchbay: PATCHBAY_DAEMON_IDLE=\"5m\" (the environment's daemon-idle): must be a whole number of seconds from 0 to 999999";
        r = CniShimTest.shim(CniSeedIT.CNI_DIR.resolve("bridge"), cni(run, state, "STATUS", "PATCHBAY_DAEMON_IDLE", "5m"), STATUS_CONF);
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("no daemon started (PATCHBAY_DAEMON_IDLE=5m: seconds"), r.err());
        assertTrue(r.err().contains(refused), r.err());
        Run cli = Within.run(30, List.of(Cli.DIST.resolve("bin/patchbay").toString(), "network", "ls"), Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin",
                "PATCHBAY_RUN_DIR", run.toString(), "PATCHBAY_STATE_DIR", state.toString(), "PATCHBAY_DAEMON_IDLE", "5m",
                "PATCHBAY_DAEMON_AUTOSTART", "on"), new byte[0]);
        assertEquals(2, cli.code(), cli.out() + cli.err());
        assertEquals(refused + "\n", cli.err());
        assertEquals(List.of(), daemonsOf(run));

        // a launcher whose daemon does not start: a copy of the distribution whose bin/patchbay fails for "daemon"
        Path home = Files.createTempDirectory("pb-auto-dist");
        assertEquals(0, Sandbox.exec("cp", "-a", Cli.DIST.toAbsolutePath() + "/.", home.toString()).code());
        Files.writeString(home.resolve("bin/patchbay"), "#!/bin/sh\ncase \" $* \" in *\" daemon \"*) echo 'broken on purpose' >&2; exit 1;; esac\n"
                + "exec " + Cli.DIST.toAbsolutePath().resolve("bin/patchbay") + " \"$@\"\n");
        Path broken = run();
        Map<String, String> env = cni(broken, state, "STATUS");
        env.put("CNI_PATH", home.resolve("cni") + ":/usr/lib/cni");
        r = CniShimTest.shim(home.resolve("cni/bridge"), env, STATUS_CONF);
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("no daemon started (the daemon it started left before serving (exit code 1): see " + log(broken) + ")"), r.err());
        assertTrue(Files.readString(log(broken)).contains("broken on purpose"));
        assertEquals(List.of(), daemonsOf(broken));
        Sandbox.exec("rm", "-rf", home.toString());
    }

    /**
     * Measures (prints, asserts nothing about time): a CNI ADD+DEL pair with no daemon before it (its ADD starts one) against
     * the reference bridge plugin's pair, interleaved, and a pair through the daemon the first started.
     */
    @Test
    void measureColdPairsAgainstTheReferencePlugin(Sandbox sandbox) throws Exception {
        Path run = run();
        Path state = Files.createTempDirectory("pb-auto-state");
        Path refData = Files.createTempDirectory("pb-auto-ref");
        String pbConf = "{\"cniVersion\":\"1.0.0\",\"name\":\"autobench\",\"type\":\"bridge\",\"bridge\":\"pbauto0\",\"isGateway\":true,\"ipMasq\":true,"
                + "\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.67.0.0/24\",\"dataDir\":\"" + state.resolve("cni") + "\"}}";
        String refConf = "{\"cniVersion\":\"1.0.0\",\"name\":\"refbench\",\"type\":\"bridge\",\"bridge\":\"refauto0\",\"isGateway\":true,\"ipMasq\":true,"
                + "\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.68.0.0/24\",\"dataDir\":\"" + refData + "\"}}";
        int runs = 5;
        List<Double> cold = new ArrayList<>();
        List<Double> first = new ArrayList<>();
        List<Double> warm = new ArrayList<>();
        List<Double> ref = new ArrayList<>();
        for (int i = 0; i <= runs; i++) { // the first round warms the page cache and the class data archives
            String ctr = "/run/netns/" + sandbox.netns("ab" + i);
            long t0 = System.nanoTime();
            Run add = CniShimTest.shim(CniSeedIT.CNI_DIR.resolve("bridge"), cni(run, state, "ADD", "CNI_NETNS", ctr, "CNI_CONTAINERID", "a" + i), pbConf);
            long t1 = System.nanoTime();
            Run del = CniShimTest.shim(CniSeedIT.CNI_DIR.resolve("bridge"), cni(run, state, "DEL", "CNI_NETNS", ctr, "CNI_CONTAINERID", "a" + i), pbConf);
            long t2 = System.nanoTime();
            assertEquals(0, add.code() | del.code(), add.out() + add.err() + del.out() + del.err());
            Run add2 = CniShimTest.shim(CniSeedIT.CNI_DIR.resolve("bridge"), cni(run, state, "ADD", "CNI_NETNS", ctr, "CNI_CONTAINERID", "w" + i), pbConf);
            Run del2 = CniShimTest.shim(CniSeedIT.CNI_DIR.resolve("bridge"), cni(run, state, "DEL", "CNI_NETNS", ctr, "CNI_CONTAINERID", "w" + i), pbConf);
            long t3 = System.nanoTime();
            assertEquals(0, add2.code() | del2.code(), add2.out() + add2.err());
            killDaemons();
            Map<String, String> refEnv = cni(run, state, "ADD", "CNI_NETNS", ctr, "CNI_CONTAINERID", "r" + i, "CNI_PATH", "/usr/lib/cni");
            long t4 = System.nanoTime();
            Run radd = CniShimTest.shim(Path.of("/usr/lib/cni/bridge"), refEnv, refConf);
            refEnv.put("CNI_COMMAND", "DEL");
            Run rdel = CniShimTest.shim(Path.of("/usr/lib/cni/bridge"), refEnv, refConf);
            long t5 = System.nanoTime();
            assertEquals(0, radd.code() | rdel.code(), radd.out() + radd.err() + rdel.out() + rdel.err());
            if (i > 0) {
                cold.add((t2 - t0) / 1e6);
                first.add((t1 - t0) / 1e6);
                warm.add((t3 - t2) / 1e6);
                ref.add((t5 - t4) / 1e6);
            }
        }
        String line = String.format("CNI ADD+DEL with nothing started before (median of %d, interleaved): Patchbay %.0f ms (its first call,"
                + " which starts the daemon, %.0f ms); the next pair through that daemon %.1f ms; reference bridge %.1f ms",
                runs, median(cold), median(first), median(warm), median(ref));
        System.out.println(line);
        Files.writeString(Cli.DIST.getParent().resolve("autostart-timings.txt"), line + "\n");
        Within.run(60, List.of(Cli.DIST.resolve("bin/patchbay").toString(), "network", "rm", "--force", "autobench"), Map.of("PATH",
                "/usr/sbin:/usr/bin:/sbin:/bin", "PATCHBAY_STATE_DIR", state.toString(), "PATCHBAY_DAEMON", "off"), new byte[0]);
        Sandbox.exec("ip", "link", "del", "refauto0");
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
