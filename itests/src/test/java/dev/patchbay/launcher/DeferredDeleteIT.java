package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The daemon deletes detached containers' veth pairs in the background (plugins-bridge LinkReaper): a detach sets the
 * host end down (the container's end loses carrier at once) and marks it (link group "pbde"), and returns; the marked
 * pairs are deleted shortly after, a batch at a time. Requests go straight to the daemon's socket, as the CNI shim sends
 * them, so that a re-attach follows the detach within milliseconds. Nothing here is timed: the detach's time is printed.
 */
@NetnsTest
class DeferredDeleteIT {
    /** plugins-bridge LinkReaper.GROUP, as {@code ip -o link} prints it. */
    private static final String MARK_GROUP = String.valueOf(0x70626465);
    private static final String MARK = "group " + MARK_GROUP;
    private Cli cli;
    private Path state;
    private Path run;

    @BeforeEach
    void cli() throws Exception {
        state = Files.createTempDirectory("pb-state");
        run = Files.createTempDirectory("pb-run");
        cli = new Cli(state, run);
    }

    /** One command line through the daemon's socket, as the CLI forwards it. */
    private DaemonSocket.Reply call(String... args) throws Exception {
        String sock = run.resolve(DaemonSocket.path().getFileName()).toString();
        try (SocketChannel ch = DaemonSocket.connectTrusted(Path.of(sock)).orElseThrow(() -> new AssertionError("no daemon at " + sock))) {
            String[] full = new String[args.length + 2];
            full[0] = "--state-dir";
            full[1] = state.toString();
            System.arraycopy(args, 0, full, 2, args.length);
            DaemonSocket.write(new DataOutputStream(Channels.newOutputStream(ch)), new DaemonSocket.Request(DaemonSocket.currentNetns(), full));
            return DaemonSocket.readReply(new DataInputStream(Channels.newInputStream(ch)));
        }
    }

    private DaemonSocket.Reply ok(String... args) throws Exception {
        DaemonSocket.Reply r = call(args);
        assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err() + r.out());
        return r;
    }

    /** {@code ip -o link show} lines of a namespace (null: the host's) holding {@code word}. */
    private static List<String> lines(Sandbox sandbox, String netns, String word) {
        String out = netns == null ? sandbox.run("ip", "-o", "link", "show") : sandbox.run("ip", "-n", netns, "-o", "link", "show");
        return out.lines().filter(l -> l.contains(word)).toList();
    }

    private static boolean awaitNone(Sandbox sandbox, List<String> namespaces, String word) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (namespaces.stream().allMatch(n -> lines(sandbox, n, word).isEmpty())) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    @Test
    void aDetachUnplugsAtOnceTheLinkGoesSoonAfterAndTheContainerCanComeBackAtOnce(Sandbox sandbox) throws Exception {
        String c1 = sandbox.netns("c1");
        String c2 = sandbox.netns("c2");
        Process daemon = cli.startDaemon(Map.of("PATCHBAY_STATE_DIR", state.toString()));
        try {
            ok("network", "create", "dl", "--subnet", "10.121.0.0/24", "--bridge", "pbdl0");
            ok("attach", "dl", "--netns", c1);
            ok("attach", "dl", "--netns", c2);
            String hostIf = null;
            String c2ip = null;
            for (var a : JsonParser.parseString(ok("-o", "json", "ls", "dl").out()).getAsJsonArray()) {
                var o = a.getAsJsonObject();
                if (o.get("containerId").getAsString().equals(c1)) {
                    hostIf = o.get("hostIf").getAsString();
                } else {
                    c2ip = o.getAsJsonArray("addresses").get(0).getAsString().split("/")[0];
                }
            }
            String c1If = hostIf;
            assertTrue(sandbox.ping(c1, "10.121.0.1"), "attached: c1 reaches the gateway");

            long t0 = System.nanoTime();
            ok("detach", "dl", "--netns", c1);
            double ms = (System.nanoTime() - t0) / 1e6;
            // right after the reply: the pair is gone, or waits down and without carrier
            for (String l : lines(sandbox, null, c1If)) {
                assertTrue(!l.contains(",UP") && l.contains(MARK), "the host end is down and marked: " + l);
            }
            for (String l : lines(sandbox, c1, " eth0@")) {
                assertTrue(!l.contains("LOWER_UP"), "the container's end lost carrier at once: " + l);
            }
            assertFalse(sandbox.ping(c1, "10.121.0.1"), "detached: no traffic");
            assertTrue(sandbox.ping(c2, "10.121.0.1"), "the neighbour is untouched");

            // back at once, and again, with the same names: each new pair survives the deletions queued before it
            ok("attach", "dl", "--netns", c1);
            ok("detach", "dl", "--netns", c1);
            ok("attach", "dl", "--netns", c1);
            assertTrue(sandbox.ping(c1, "10.121.0.1"), "re-attached: c1 reaches the gateway");
            assertTrue(sandbox.ping(c1, c2ip), "and its neighbour");

            assertTrue(awaitNone(sandbox, java.util.Arrays.asList((String) null), MARK), "the unplugged pairs are deleted: "
                    + lines(sandbox, null, MARK));
            assertEquals(1, lines(sandbox, null, hostIf).size(), "the re-attached pair is there");
            assertTrue(lines(sandbox, null, hostIf).get(0).contains("master pbdl0"));
            assertEquals(1, lines(sandbox, c1, " eth0@").size());
            System.out.printf("DeferredDeleteIT: detach through the daemon socket %.1f ms%n", ms);

            // a detach right before the daemon stops: what it queued is deleted before it exits
            ok("detach", "dl", "--netns", c1);
            ok("detach", "dl", "--netns", c2);
            daemon.destroy();
            assertTrue(daemon.waitFor(30, TimeUnit.SECONDS));
            assertEquals(List.of(), lines(sandbox, null, MARK), "nothing left waiting once the daemon stopped");
            assertEquals(List.of(), lines(sandbox, null, "veth"));
        } finally {
            daemon.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            cli.run("network", "rm", "--force", "dl");
        }
    }

    @Test
    void aKilledDaemonsUnpluggedLinksAreDeletedByGcAndNothingElse(Sandbox sandbox) throws Exception {
        List<String> ns = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ns.add(sandbox.netns("k" + i));
        }
        String d1 = sandbox.netns("d1");
        Process daemon = cli.startDaemon(Map.of("PATCHBAY_STATE_DIR", state.toString()));
        try {
            ok("network", "create", "kl", "--subnet", "10.122.0.0/24", "--bridge", "pbkl0");
            for (String n : ns) {
                ok("attach", "kl", "--netns", n);
            }
            for (String n : ns) {
                ok("detach", "kl", "--netns", n);
            }
            daemon.destroyForcibly(); // SIGKILL: whatever is still queued stays down and marked
            assertTrue(daemon.waitFor(30, TimeUnit.SECONDS));
            System.out.println("DeferredDeleteIT: left by the killed daemon: " + lines(sandbox, null, MARK).size());
            // and one left for certain, as an unplug leaves it: down, a port of the bridge still, marked
            sandbox.run("ip", "link", "add", "vethfeedf00d", "type", "veth", "peer", "name", "eth0", "netns", d1);
            sandbox.run("ip", "link", "set", "vethfeedf00d", "master", "pbkl0", "group", MARK_GROUP);
            // look-alikes gc must keep: Patchbay's names, down, on no bridge or on one, without the mark
            sandbox.run("ip", "link", "add", "vethdeadbeef", "type", "veth", "peer", "name", "tmpk1p");
            sandbox.run("ip", "link", "add", "vethbeefdead", "type", "veth", "peer", "name", "tmpk2p");
            sandbox.run("ip", "link", "set", "vethbeefdead", "master", "pbkl0");
            try {
                String gc = cli.run("gc").ok().out(); // no daemon now: in-process
                assertTrue(gc.contains("unplugged for deletion") && gc.contains("vethfeedf00d"), gc);
                assertEquals(List.of(), lines(sandbox, null, MARK), "nothing marked is left");
                assertEquals(List.of(), lines(sandbox, d1, "eth0"), "the pair went with it");
                assertEquals(1, lines(sandbox, null, "vethdeadbeef@").size(), "kept");
                assertEquals(1, lines(sandbox, null, "vethbeefdead@").size(), "kept");
                for (String n : ns) {
                    assertEquals(List.of(), lines(sandbox, n, "eth0"), n);
                }
                cli.run("attach", "kl", "--netns", ns.get(0)).ok();
                assertTrue(sandbox.ping(ns.get(0), "10.122.0.1"));
                cli.run("detach", "kl", "--netns", ns.get(0)).ok();
            } finally {
                for (String l : List.of("vethfeedf00d", "vethdeadbeef", "vethbeefdead")) {
                    Sandbox.exec("ip", "link", "del", l);
                }
            }
        } finally {
            daemon.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            cli.run("network", "rm", "--force", "kl");
        }
    }

}
