package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The daemon and crashes: a CLI whose daemon dies mid-request says so and re-runs nothing; a daemon finishes or undoes
 * interrupted operations when it starts; it rebuilds a bridge someone deleted, on the kernel's event.
 */
@NetnsTest
class DaemonRecoveryIT {
    private Cli cli;
    private Path state;
    private Path run;

    @BeforeEach
    void cli() throws Exception {
        state = Files.createTempDirectory("pb-state");
        run = Files.createTempDirectory("pb-run");
        cli = new Cli(state, run);
    }

    @Test
    void daemonKilledMidRequestIsReportedAndNotRetried(Sandbox sandbox) throws Exception {
        String c1 = sandbox.netns("c1");
        Process daemon = cli.startDaemon(Map.of("PATCHBAY_STATE_DIR", state.toString()));
        Process attach = null;
        try {
            cli.run("network", "create", "dd", "--subnet", "10.117.0.0/24", "--bridge", "pbdd0").ok();
            Path out = Files.createTempFile("pb-out", ".txt");
            Path err = Files.createTempFile("pb-err", ".txt");
            try (FileChannel ch = FileChannel.open(state.resolve("locks/dd.lock"), StandardOpenOption.READ, StandardOpenOption.WRITE);
                 FileLock held = ch.lock()) { // the daemon's attach waits for the network's lock: it is mid-request
                ProcessBuilder pb = new ProcessBuilder(Cli.DIST.resolve("bin/patchbay").toString(), "attach", "dd", "--netns", c1)
                        .redirectOutput(out.toFile()).redirectError(err.toFile());
                pb.environment().put("PATCHBAY_STATE_DIR", state.toString());
                pb.environment().put("PATCHBAY_RUN_DIR", run.toString());
                attach = pb.start();
                Thread.sleep(1500);
                daemon.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                attach.waitFor(10, TimeUnit.SECONDS); // a CLI that re-runs the attach in-process waits for the lock: released below
            }
            assertTrue(attach.waitFor(60, TimeUnit.SECONDS));
            String e = Files.readString(err);
            assertEquals(1, attach.exitValue(), e + Files.readString(out));
            assertTrue(e.contains("the daemon died while running") && e.contains("attach") && e.contains("patchbay gc"), e);
            assertEquals("[]", cli.run("-o", "json", "ls", "dd").ok().out().trim(), "nothing re-ran the attach");
            assertFalse(sandbox.run("ip", "-o", "link", "show").contains("veth"), "no veth without a record");
        } finally {
            if (attach != null) {
                attach.destroyForcibly();
            }
            daemon.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            cli.run("network", "rm", "--force", "dd");
        }
    }

    /** A connection refused (a socket file left by a dead daemon) is no request sent: the CLI works in-process. */
    @Test
    void staleSocketFallsBackInProcess(Sandbox sandbox) throws Exception {
        String ns = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString().replaceAll("[^0-9]", "");
        Path sock = run.resolve("net-" + ns + ".sock");
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(sock));
        }
        assertTrue(Files.exists(sock));
        cli.run("network", "ls").ok();
        Files.deleteIfExists(sock);
    }

    /** A crash after the link was made: the next daemon start undoes the attach, without gc. */
    @Test
    void daemonStartUndoesAnInterruptedAttach(Sandbox sandbox) throws Exception {
        String c1 = sandbox.netns("c1");
        cli.run("network", "create", "ds", "--subnet", "10.118.0.0/24", "--bridge", "pbds1").ok();
        Process daemon = null;
        try {
            cli.run("attach", "ds", "--netns", c1).ok();
            JsonObject del = new JsonObject(); // as if the attach died before its record
            del.addProperty("op", "del");
            del.addProperty("key", c1);
            Files.writeString(state.resolve("attachments/ds.log"), del + "\n", StandardOpenOption.APPEND);
            writeJournal("attach", c1, "ds");
            daemon = cli.startDaemon(Map.of("PATCHBAY_STATE_DIR", state.toString()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while ((sandbox.run("ip", "-o", "link", "show").contains("veth") || !journalFiles().isEmpty()) && System.nanoTime() < deadline) {
                Thread.sleep(100); // the daemon serves its socket while it recovers: clients wait for it, this test looks
            }
            assertFalse(sandbox.run("ip", "-o", "link", "show").contains("veth"), "the half-made veth is gone");
            assertEquals(List.of(), journalFiles(), "the journal is empty");
            cli.run("attach", "ds", "--netns", c1).ok(); // through the daemon: the address is free again
            cli.run("detach", "ds", "--netns", c1).ok();
        } finally {
            cli.run("network", "rm", "--force", "ds");
            if (daemon != null) {
                daemon.destroy();
                daemon.waitFor(60, TimeUnit.SECONDS);
            }
        }
    }

    /** Someone deletes a bridge under the daemon: the kernel's event makes it rebuild the bridge and its ports. */
    @Test
    void daemonRebuildsADeletedBridgeOnTheKernelsEvent(Sandbox sandbox) throws Exception {
        String c1 = sandbox.netns("c1");
        Process daemon = cli.startDaemon(Map.of("PATCHBAY_STATE_DIR", state.toString()));
        try {
            cli.run("network", "create", "ev", "--subnet", "10.119.0.0/24", "--bridge", "pbev0", "--masquerade").ok();
            cli.run("attach", "ev", "--netns", c1).ok();
            sandbox.run("ip", "link", "del", "pbev0");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            boolean back = false;
            while (!back && System.nanoTime() < deadline) {
                Thread.sleep(200);
                back = Sandbox.exec("ip", "-o", "addr", "show", "dev", "pbev0").output().contains("10.119.0.1/24");
            }
            assertTrue(back, "the bridge and its gateway are back");
            boolean ping = false;
            for (int i = 0; i < 10 && !ping; i++) {
                ping = sandbox.ping(c1, "10.119.0.1");
            }
            assertTrue(ping, "c1 is a port of the bridge again");

            String hostIf = com.google.gson.JsonParser.parseString(cli.run("-o", "json", "ls", "ev").ok().out()).getAsJsonArray()
                    .get(0).getAsJsonObject().get("hostIf").getAsString();
            sandbox.run("ip", "link", "del", hostIf); // the container's link: its record stays, so it is plugged in again
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            back = false;
            while (!back && System.nanoTime() < deadline) {
                Thread.sleep(200);
                back = sandbox.execIn(c1, "ip", "-o", "addr", "show", "dev", "eth0").output().contains("10.119.0.2/24");
            }
            assertTrue(back, "c1 has its link and address again");
            ping = false;
            for (int i = 0; i < 10 && !ping; i++) {
                ping = sandbox.ping(c1, "10.119.0.1");
            }
            assertTrue(ping, "c1 -> gateway");
        } finally {
            cli.run("network", "rm", "--force", "ev");
            daemon.destroy();
            daemon.waitFor(60, TimeUnit.SECONDS);
        }
    }

    private void writeJournal(String op, String containerId, String network) throws Exception {
        Path ns = Path.of("/proc/thread-self/ns/net");
        String host = Files.getAttribute(ns, "unix:dev") + ":" + Files.getAttribute(ns, "unix:ino");
        String id = op + "-" + UUID.randomUUID();
        JsonObject entry = new JsonObject();
        entry.addProperty("id", id);
        entry.addProperty("op", op);
        entry.addProperty("network", network);
        entry.addProperty("containerId", containerId);
        entry.addProperty("hostNetns", host);
        entry.add("steps", new com.google.gson.Gson().toJsonTree(List.of(Map.of("kind", "ipam", "data", Map.of("ifname", "eth0")))));
        Files.createDirectories(state.resolve("journal"));
        Files.writeString(state.resolve("journal/" + id + ".json"), entry.toString());
    }

    /** Journal entries in flight: single files, and live keys of the logs (put lines not deleted later). */
    private List<String> journalFiles() throws Exception {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(state.resolve("journal"))) {
            for (Path f : files.toList()) {
                if (f.toString().endsWith(".json")) {
                    out.add(f.getFileName().toString());
                } else if (f.toString().endsWith(".log")) {
                    List<String> live = new ArrayList<>();
                    for (String line : Files.readAllLines(f)) {
                        var l = com.google.gson.JsonParser.parseString(line).getAsJsonObject();
                        String key = l.has("key") ? l.get("key").getAsString() : null;
                        if ("put".equals(l.get("op").getAsString())) {
                            live.add(key);
                        } else if ("del".equals(l.get("op").getAsString())) {
                            live.remove(key);
                        }
                    }
                    out.addAll(live);
                }
            }
        }
        return out;
    }
}
