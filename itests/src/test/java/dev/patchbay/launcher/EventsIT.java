package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code patchbay events -o json} as a client sees it, the real bin/patchbay in its own process: through a daemon
 * (streamed as they happen: wire version 4), the events of an attach with a published port, the kernel's deletion of
 * the network's bridge and the daemon's repair, in order; without a daemon, the kernel's events (Patchbay's own events
 * of other processes are only seen through the daemon). The network lives in the daemon's namespace (the sandbox JVM's
 * own, a throwaway one): the daemon watches its own namespace's links. Every line is parsed as JSON; the waits are
 * bounded and generous, nothing is timed.
 */
@NetnsTest
class EventsIT {
    @RegisterExtension
    static final DaemonCli pb = new DaemonCli();

    @Test
    void throughTheDaemonAnAttachADeletedBridgeAndItsRepairStreamAsTheyHappen(Sandbox sandbox) throws Exception {
        Cli cli = pb.cli();
        String red = sandbox.netns("red");
        try (Stream events = Stream.start(cli, Map.of())) {
            cli.run("network", "create", "evt", "--subnet", "10.141.0.0/24", "--bridge", "pbevt0").ok();
            JsonObject created = events.next("network-created", e -> "evt".equals(str(e, "network")));
            assertEquals("patchbay", str(created, "source"));
            long attach = System.nanoTime();
            cli.run("attach", "evt", "--netns", red, "--publish", "18080:80/tcp").ok();
            JsonObject attached = events.next("attached", e -> red.equals(str(e, "container")));
            assertEquals("evt", str(attached, "network"));
            assertTrue(str(attached, "detail").contains("10.141.0.2/24"), attached.toString());
            JsonObject published = events.next("published", e -> red.equals(str(e, "container")));
            assertEquals("18080:80/tcp", str(published, "detail"));

            long del = System.nanoTime();
            sandbox.run("ip", "link", "del", "pbevt0");
            JsonObject deleted = events.next("link-del", e -> "pbevt0".equals(str(e, "link")));
            assertEquals("kernel", str(deleted, "source"));
            JsonObject repaired = events.next("repaired", e -> "evt".equals(str(e, "network"))); // the daemon's watch
            System.out.printf("through the daemon: attached %.0f ms and published %.0f ms after the attach began; link-del %.0f ms and"
                    + " repaired %.0f ms after ip link del began%n", events.after(attached, attach), events.after(published, attach),
                    events.after(deleted, del), events.after(repaired, del));
            assertTrue(str(repaired, "detail").contains("pbevt0"), repaired.toString());
            assertTrue(!time(repaired).isBefore(time(deleted)) && !time(deleted).isBefore(time(published))
                    && !time(published).isBefore(time(attached)), "times in order: " + events.seen);
            assertTrue(events.seen.stream().allMatch(e -> e.get("time").getAsString().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z")),
                    "RFC 3339, UTC, milliseconds: " + events.seen);
        } finally {
            cli.run("network", "rm", "evt", "--force");
        }
        assertEquals(0, cli.run("ls").code(), "the daemon serves on once the client is gone");
    }

    /** An older CLI (wire version 3) is refused a streaming command, saying why, and served every other as before. */
    @Test
    void aVersion3ClientIsRefusedTheStreamAndServedTheRest() throws Exception {
        Cli cli = pb.cli();
        DaemonSocket.Reply events = v3(cli, "events");
        assertEquals(3, events.code(), events.err());
        assertTrue(events.err().contains("streams its output") && events.err().contains("PATCHBAY_DAEMON=off"), events.err());
        DaemonSocket.Reply ls = v3(cli, "-o", "json", "ls");
        assertEquals(0, ls.code(), ls.err());
        assertTrue(JsonParser.parseString(ls.out()).isJsonArray(), ls.out());
    }

    private static DaemonSocket.Reply v3(Cli cli, String... args) throws Exception {
        try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(
                java.net.UnixDomainSocketAddress.of(DaemonFairnessIT.socket(cli)))) {
            java.io.DataOutputStream out = new java.io.DataOutputStream(java.nio.channels.Channels.newOutputStream(ch));
            List<String> argv = new ArrayList<>(List.of(args));
            argv.add("--state-dir=" + cli.stateDir());
            DaemonSocket.writeV3(out, new DaemonSocket.Request(DaemonSocket.currentNetns(), argv.toArray(String[]::new)));
            java.io.DataInputStream in = new java.io.DataInputStream(java.nio.channels.Channels.newInputStream(ch));
            for (int b = in.read(); ; b = in.read()) {
                if (b == DaemonSocket.REPLY) {
                    return DaemonSocket.readReply(in);
                }
                assertEquals(DaemonSocket.PROGRESS, b, "a version 3 client gets only progress bytes before its reply");
            }
        }
    }

    @Test
    void withoutADaemonTheKernelsEventsStream(Sandbox sandbox) throws Exception {
        Cli cli = new Cli(Files.createTempDirectory("pb-state"), Files.createTempDirectory("pb-run"), Map.of("PATCHBAY_DAEMON", "off"));
        String red = sandbox.netns("red");
        String host = sandbox.netns("host");
        try (Stream events = Stream.start(cli, Map.of("PATCHBAY_DAEMON", "off"), "-n", host)) {
            cli.run("-n", host, "network", "create", "evu", "--subnet", "10.142.0.0/24", "--bridge", "pbevu0").ok();
            events.next("link-new", e -> "pbevu0".equals(str(e, "link")));
            events.next("addr-new", e -> "pbevu0".equals(str(e, "link")) && "10.142.0.1/24".equals(str(e, "detail")));
            cli.run("-n", host, "attach", "evu", "--netns", red, "--publish", "18081:80/tcp").ok();
            events.next("link-new", e -> str(e, "detail") != null && str(e, "detail").contains("veth"));
            sandbox.run("ip", "-n", host, "link", "del", "pbevu0");
            events.next("link-del", e -> "pbevu0".equals(str(e, "link")));
            cli.run("-n", host, "gc").ok(); // puts the bridge back
            events.next("link-new", e -> "pbevu0".equals(str(e, "link")));
            assertTrue(events.seen.stream().allMatch(e -> "kernel".equals(str(e, "source"))),
                    "another process's own events are not seen without a daemon: " + events.seen);
        } finally {
            cli.run("-n", host, "network", "rm", "evu", "--force");
        }
    }

    private static String str(JsonObject o, String key) {
        return o.has(key) ? o.get(key).getAsString() : null;
    }

    private static Instant time(JsonObject o) {
        return Instant.parse(o.get("time").getAsString());
    }

    /** {@code patchbay events -o json} running, its lines parsed as they come. */
    private static final class Stream implements AutoCloseable {
        private final Process process;
        private final BlockingQueue<JsonObject> lines = new LinkedBlockingQueue<>();
        final List<JsonObject> seen = new ArrayList<>();
        /** When each line was read (to report how long after the action it came; nothing is asserted on it). */
        final Map<JsonObject, Long> arrived = new java.util.concurrent.ConcurrentHashMap<>();

        /** Milliseconds from {@code since} (System.nanoTime) to the line's arrival. */
        double after(JsonObject e, long since) {
            return (arrived.get(e) - since) / 1e6;
        }

        private Stream(Process process) {
            this.process = process;
        }

        static Stream start(Cli cli, Map<String, String> env, String... global) throws Exception {
            List<String> argv = new ArrayList<>(List.of(Cli.DIST.resolve("bin/patchbay").toString()));
            argv.addAll(List.of(global));
            argv.addAll(List.of("-o", "json", "events"));
            ProcessBuilder b = new ProcessBuilder(argv);
            b.environment().put("PATCHBAY_STATE_DIR", cli.stateDir().toString());
            b.environment().put("PATCHBAY_RUN_DIR", cli.runDir().toString());
            b.environment().putAll(env);
            Process p = b.start();
            Stream s = new Stream(p);
            BlockingQueue<String> err = new LinkedBlockingQueue<>();
            reader(p.getErrorStream(), err::add);
            reader(p.getInputStream(), l -> {
                JsonObject o = JsonParser.parseString(l).getAsJsonObject();
                s.arrived.put(o, System.nanoTime());
                s.lines.add(o);
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (String l = ""; !l.contains("listening"); ) { // subscribed: what happens from now on is seen
                l = err.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (l == null) {
                    p.destroyForcibly();
                    throw new AssertionError("patchbay events did not start listening within 60 s");
                }
            }
            return s;
        }

        private static void reader(java.io.InputStream in, java.util.function.Consumer<String> to) {
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String l = r.readLine(); l != null; l = r.readLine()) {
                        to.accept(l);
                    }
                } catch (java.io.IOException ignored) {
                    // the process ended
                }
            }, "events-reader");
            t.setDaemon(true);
            t.start();
        }

        /** The next event of {@code type} that {@code matches}, skipping others; a generous bounded wait (30 s). */
        JsonObject next(String type, Predicate<JsonObject> matches) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                JsonObject e = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (e == null) {
                    throw new AssertionError("no " + type + " event within 30 s; seen: " + seen);
                }
                seen.add(e);
                if (type.equals(e.get("type").getAsString()) && matches.test(e)) {
                    return e;
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy(); // SIGTERM: the client goes away
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
