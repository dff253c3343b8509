package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rules someone flushed: each backend knows its whole footprint (table, base chains, the jumps into its chains, maps,
 * the raw 127/8 drop, the owners' rules). {@code network ls} and {@code doctor} read the kernel and say what is missing
 * until it is put back; {@code gc}, a daemon's start, its drift repair and the next attach without a daemon put back
 * all of it, proved with traffic: a published port from outside and masquerade out of the uplink.
 */
@NetnsTest
class FirewallRepairIT {
    /** The set-up of the tests without a daemon of their own: one daemon for the class instead of a JVM per command. */
    @RegisterExtension
    static final DaemonCli DAEMON = new DaemonCli(DaemonCli.AS_ONE_SHOT);

    @Test
    void aFlushedNftablesTableIsShownAndPutBack(Sandbox sandbox) throws Exception {
        flushShownAndPutBack(sandbox, "nftables", "10.84.0.0/24", "nft", "flush", "table", "inet", "patchbay");
    }

    @Test
    void aFlushedIptablesNatTableIsShownAndPutBack(Sandbox sandbox) throws Exception {
        flushShownAndPutBack(sandbox, "iptables", "10.85.0.0/24", "iptables", "-t", "nat", "-F");
    }

    private void flushShownAndPutBack(Sandbox sandbox, String backend, String subnet, String... flush) throws Exception {
        Path state = Files.createTempDirectory("pb-state");
        Cli cli = new Cli(state, Files.createTempDirectory("pb-run"));
        Map<String, String> slow = Map.of("PATCHBAY_STATE_DIR", state.toString(), "PATCHBAY_REPAIR_SECONDS", "3600");
        Process daemon = cli.startDaemon(slow);
        String red = sandbox.netns("red");
        String outside = sandbox.netns("out");
        Topo.uplink(sandbox, outside);
        Process server = null;
        try {
            cli.run("firewall", "backend", backend).ok();
            cli.run("network", "create", "fr", "--subnet", subnet, "--bridge", "pbfr0", "--masquerade", "--uplink", "up0").ok();
            cli.run("attach", "fr", "--netns", red, "--publish", "9000:9000/tcp").ok();
            server = Topo.echoServer(red, 9000);
            assertTraffic(sandbox, red, outside, "before the flush");

            sandbox.run(flush);
            assertFalse(newConnection(sandbox, outside), "the flush broke the published port");
            assertEquals("degraded", health(cli), "network ls reads the kernel");
            assertTrue(DoctorIT.doctor(cli).stream().anyMatch(c -> c.check().equals("firewall rules") && c.status().equals("fail")),
                    "doctor fails while the rules are missing");

            Cli.Run gc = cli.run("gc").ok();
            assertTraffic(sandbox, red, outside, "after gc: " + gc.out());
            assertEquals("ok", health(cli));
            DoctorIT.status(DoctorIT.doctor(cli), "firewall rules", "ok", backend);

            sandbox.run(flush);
            daemon.destroy();
            daemon.waitFor(30, TimeUnit.SECONDS);
            daemon = cli.startDaemon(Map.of("PATCHBAY_STATE_DIR", state.toString(), "PATCHBAY_REPAIR_SECONDS", "1"));
            assertTraffic(sandbox, red, outside, "after a daemon's start");

            sandbox.run(flush);
            boolean back = false;
            for (int i = 0; i < 50 && !back; i++) {
                Thread.sleep(200);
                back = newConnection(sandbox, outside);
            }
            assertTrue(back, "the daemon's drift repair put the published port back");
            assertTraffic(sandbox, red, outside, "after the drift repair");
            String log = Files.readString(log(daemon));
            assertTrue(log.contains("re-applied"), log);
        } finally {
            if (server != null) {
                server.destroyForcibly();
            }
            cli.run("detach", "fr", "--netns", red);
            cli.run("network", "rm", "fr");
            daemon.destroy();
            daemon.waitFor(30, TimeUnit.SECONDS);
            sandbox.run("ip", "link", "del", "up0");
        }
        assertNothingLeft();
    }

    /**
     * No daemon: after {@code nft flush ruleset} the next attach to the network puts back the whole of it (set up and
     * cleaned up through the class's daemon).
     */
    @Test
    void theNextAttachPutsBackAFlushedRuleset(Sandbox sandbox) throws Exception {
        Cli pb = DAEMON.fresh();
        Cli cli = DaemonCli.direct(pb);
        String red = sandbox.netns("red");
        String blue = sandbox.netns("blue");
        String outside = sandbox.netns("out");
        Topo.uplink(sandbox, outside);
        Process server = null;
        try {
            pb.run("firewall", "backend", "nftables").ok();
            pb.run("network", "create", "fs", "--subnet", "10.86.0.0/24", "--bridge", "pbfs0", "--masquerade", "--uplink", "up0").ok();
            pb.run("attach", "fs", "--netns", red, "--publish", "9000:9000/tcp").ok();
            server = Topo.echoServer(red, 9000);
            assertTraffic(sandbox, red, outside, "before the flush");
            sandbox.run("nft", "flush", "ruleset");
            before = ""; // the flush took every other tool's rules too
            assertEquals("degraded", health(cli));
            assertTrue(DoctorIT.doctor(cli).stream().anyMatch(c -> c.check().equals("firewall rules") && c.status().equals("fail")));
            cli.run("attach", "fs", "--netns", blue).ok();
            assertEquals("ok", health(cli), "the attach put back every owner's rules");
            assertTraffic(sandbox, red, outside, "after the next attach");
            assertTrue(sandbox.ping(blue, Topo.OUTSIDE_IP), "masquerade for the new container");
        } finally {
            if (server != null) {
                server.destroyForcibly();
            }
            pb.run("detach", "fs", "--netns", red);
            pb.run("detach", "fs", "--netns", blue);
            pb.run("network", "rm", "fs");
            sandbox.run("ip", "link", "del", "up0");
        }
        assertNothingLeft();
    }

    /**
     * A daemon whose drift repair is far off: after {@code nft flush table inet patchbay} the very next attach to the
     * network (no port of its own) puts back the whole table, the first container's published port and masquerade
     * included; the daemon's earlier changes do not excuse it from checking.
     */
    @Test
    void theDaemonsNextAttachPutsBackAFlushedTable(Sandbox sandbox) throws Exception {
        Path state = Files.createTempDirectory("pb-state");
        Cli cli = new Cli(state, Files.createTempDirectory("pb-run"));
        Process daemon = cli.startDaemon(Map.of("PATCHBAY_STATE_DIR", state.toString(), "PATCHBAY_REPAIR_SECONDS", "3600"));
        String red = sandbox.netns("red");
        String blue = sandbox.netns("blue");
        String outside = sandbox.netns("out");
        Topo.uplink(sandbox, outside);
        Process server = null;
        try {
            cli.run("firewall", "backend", "nftables").ok();
            cli.run("network", "create", "fg", "--subnet", "10.89.0.0/24", "--bridge", "pbfg0", "--masquerade", "--uplink", "up0").ok();
            cli.run("attach", "fg", "--netns", red, "--publish", "9000:9000/tcp").ok();
            server = Topo.echoServer(red, 9000);
            assertTraffic(sandbox, red, outside, "before the flush");
            sandbox.run("nft", "flush", "table", "inet", "patchbay");
            assertFalse(newConnection(sandbox, outside), "the flush broke the published port");
            cli.run("attach", "fg", "--netns", blue).ok();
            assertTrue(newConnection(sandbox, outside), "the published port answers right after the next attach");
            assertTraffic(sandbox, red, outside, "after the next attach");
            assertTrue(sandbox.ping(blue, Topo.OUTSIDE_IP), "masquerade for the new container");
            assertEquals("ok", health(cli));
        } finally {
            if (server != null) {
                server.destroyForcibly();
            }
            cli.run("detach", "fg", "--netns", red);
            cli.run("detach", "fg", "--netns", blue);
            cli.run("network", "rm", "fg");
            daemon.destroy();
            daemon.waitFor(30, TimeUnit.SECONDS);
            sandbox.run("ip", "link", "del", "up0");
        }
        assertNothingLeft();
    }

    /** Backend none keeps no rules: the daemon re-applies nothing, and says so once. */
    @Test
    void backendNoneRepairsNothingAndSaysSoOnce(Sandbox sandbox) throws Exception {
        Path state = Files.createTempDirectory("pb-state");
        Cli cli = new Cli(state, Files.createTempDirectory("pb-run"));
        Process daemon = cli.startDaemon(Map.of("PATCHBAY_STATE_DIR", state.toString(), "PATCHBAY_REPAIR_SECONDS", "1"));
        String red = sandbox.netns("red");
        try {
            cli.run("firewall", "backend", "none").ok();
            cli.run("network", "create", "no", "--subnet", "10.87.0.0/24", "--bridge", "pbno0", "--masquerade").ok();
            cli.run("attach", "no", "--netns", red, "--publish", "9000:9000/tcp").ok();
            Thread.sleep(4500);
            String log = Files.readString(log(daemon));
            assertFalse(log.contains("re-applied"), log);
            assertEquals(1, log.split("backend is \"none\"", -1).length - 1, log);
        } finally {
            cli.run("detach", "no", "--netns", red);
            cli.run("network", "rm", "no");
            daemon.destroy();
            daemon.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Through both backends and back: after the last network is removed nothing of Patchbay's is left, no empty
     * iptables-nft table either; a table another tool holds rules in stays, with its rules. Through the class's daemon.
     */
    @Test
    void nothingIsLeftAfterTheLastNetworkWhicheverBackends(Sandbox sandbox) throws Exception {
        Cli cli = DAEMON.fresh();
        String red = sandbox.netns("red");
        for (String[] path : new String[][] {{"iptables", "nftables"}, {"nftables", "iptables"}, {"iptables", "nftables", "iptables"}}) {
            cli.run("firewall", "backend", path[0]).ok();
            cli.run("network", "create", "gone", "--subnet", "10.88.0.0/24", "--bridge", "pbgone0", "--masquerade").ok();
            cli.run("attach", "gone", "--netns", red, "--publish", "9000:9000/tcp").ok();
            for (int i = 1; i < path.length; i++) {
                cli.run("firewall", "backend", path[i]).ok();
            }
            cli.run("detach", "gone", "--netns", red).ok();
            cli.run("network", "rm", "gone").ok();
            assertNothingLeft();
        }
        sandbox.run("iptables", "-A", "INPUT", "-s", "192.0.2.9", "-j", "ACCEPT"); // another tool's rule
        try {
            cli.run("firewall", "backend", "iptables").ok();
            cli.run("network", "create", "gone", "--subnet", "10.88.0.0/24", "--bridge", "pbgone0", "--masquerade").ok();
            cli.run("network", "rm", "gone").ok();
            String ipt = Sandbox.exec("iptables-save").output();
            assertTrue(ipt.contains("-A INPUT -s 192.0.2.9/32 -j ACCEPT"), ipt);
            assertFalse(ipt.contains("PATCHBAY"), ipt);
            for (String table : List.of("nat", "raw")) { // Patchbay made them, so it removed them (unless another tool had them)
                assertFalse(!before.contains("table ip " + table + " ") && ipt.contains("*" + table), ipt);
            }
        } finally {
            sandbox.run("iptables", "-D", "INPUT", "-s", "192.0.2.9", "-j", "ACCEPT");
            if (!before.contains("table ip filter ")) {
                sandbox.run("nft", "delete", "table", "ip", "filter");
            }
        }
    }

    /**
     * The namespace's rules as the test found them: every IT of the sandbox JVM shares its namespace, and the reference
     * plugins other tests ran there (portmap) leave their chains behind, as they always do. Counters aside.
     */
    private String before;

    @BeforeEach
    void rememberTheRules() {
        before = rules();
    }

    /** {@code nft list ruleset} and both iptables-save of the namespace, without counters. */
    static String rules() {
        StringBuilder all = new StringBuilder(Sandbox.exec("nft", "list", "ruleset").output());
        for (String save : List.of("iptables-save", "ip6tables-save")) {
            Sandbox.exec(save).output().lines().filter(l -> !l.startsWith("#")).forEach(l -> all.append(l).append('\n'));
        }
        return all.toString().replaceAll("counter packets \\d+ bytes \\d+", "counter").replaceAll("\\[\\d+:\\d+\\]", "").strip();
    }

    /** Nothing of Patchbay's is left: the rules are those the test found (in a namespace of its own: none). */
    void assertNothingLeft() {
        assertEquals(before, rules(), "nothing left in nftables and iptables but what was there before");
        assertFalse(rules().contains("patchbay") || rules().contains("PATCHBAY"), rules());
    }

    /** The first network's health, as {@code network ls -o json} says it. */
    private static String health(Cli cli) {
        for (JsonElement e : JsonParser.parseString(cli.run("-o", "json", "network", "ls").ok().out()).getAsJsonArray()) {
            return e.getAsJsonObject().get("health").getAsString();
        }
        throw new AssertionError("no network listed");
    }

    /** A new connection from outside to the published port (a few tries: the echo server may still be starting) and masquerade. */
    private static void assertTraffic(Sandbox sandbox, String red, String outside, String when) throws InterruptedException {
        boolean connected = newConnection(sandbox, outside);
        for (int i = 0; i < 10 && !connected; i++) {
            Thread.sleep(300);
            connected = newConnection(sandbox, outside);
        }
        assertTrue(connected, "the published port works from outside " + when);
        assertTrue(sandbox.ping(red, Topo.OUTSIDE_IP), "masquerade works " + when);
    }

    private static boolean newConnection(Sandbox sandbox, String outside) {
        String py = "import socket; s=socket.create_connection(('" + Topo.HOST_UPLINK_IP + "',9000),timeout=2);"
                + " s.sendall(b'x\\n'); assert s.recv(10)==b'x\\n'";
        return sandbox.execIn(outside, "python3", "-c", py).code() == 0;
    }

    /** The daemon's log: the file its stdout goes to. */
    static Path log(Process daemon) throws Exception {
        return Files.readSymbolicLink(Path.of("/proc/" + daemon.pid() + "/fd/1"));
    }
}
