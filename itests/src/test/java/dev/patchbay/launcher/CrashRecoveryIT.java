package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A crash at any point of an attach, detach or network create leaves nothing behind once
 * {@code patchbay gc} ran. Each crash point is rebuilt exactly (a real attach rewound to the state a
 * crash after that step leaves: objects made so far plus the journal entry), and a sweep of real
 * {@code kill -9}s at random moments checks the same invariant on whatever state a real crash leaves. The attaches
 * killed are processes of their own working in-process; every other command (and gc) goes through one daemon for the
 * class, which deletes a detach's link before it returns.
 */
@NetnsTest
class CrashRecoveryIT {
    @RegisterExtension
    static final DaemonCli DAEMON = new DaemonCli(DaemonCli.AS_ONE_SHOT);
    private Cli cli;
    private Path state;

    @BeforeEach
    void network() throws Exception {
        cli = DAEMON.fresh();
        state = cli.stateDir();
        cli.run("network", "create", "crash", "--subnet", "10.79.0.0/24", "--bridge", "pbcrash0").ok();
    }

    @AfterEach
    void removeNetwork() {
        cli.run("network", "rm", "--force", "crash");
    }

    @Test
    void attachInterruptedAfterEachStepIsUndone(Sandbox sandbox) throws Exception {
        String c = sandbox.netns("c");
        for (List<String> steps : List.of(List.of("ipam"), List.of("ipam", "link"))) {
            JsonObject a = attach(c);
            String hostIf = a.get("hostIf").getAsString();
            if (!steps.contains("link")) {
                sandbox.run("ip", "link", "del", hostIf);
            }
            forgetRecord(c); // the record is the last step
            List<Map<String, Object>> journalSteps = new ArrayList<>();
            journalSteps.add(Map.of("kind", "ipam", "data", Map.of("ifname", "eth0")));
            if (steps.contains("link")) {
                journalSteps.add(Map.of("kind", "link", "data", Map.of("hostIf", hostIf)));
            }
            writeJournal("attach", c, journalSteps);

            Cli.Run gc = cli.run("gc").ok();
            assertTrue(gc.out().contains("recovered 1"), gc.out());
            assertClean(sandbox, c);
        }
        cli.run("attach", "crash", "--netns", c).ok(); // and the container can attach again
        cli.run("detach", "crash", "--netns", c).ok();
    }

    @Test
    void attachInterruptedAfterItsRecordIsKept(Sandbox sandbox) throws Exception {
        String c = sandbox.netns("c");
        JsonObject a = attach(c); // a crash after the last step: everything made, only the journal entry left
        writeJournal("attach", c, List.of(Map.of("kind", "ipam", "data", Map.of("ifname", "eth0")),
                Map.of("kind", "link", "data", Map.of("hostIf", a.get("hostIf").getAsString()))));
        Cli.Run gc = cli.run("gc").ok();
        assertTrue(gc.out().contains("recovered 1"), gc.out());
        assertEquals(0, journalCount(), "journal empty");
        assertTrue(recorded(c), "still attached");
        assertTrue(sandbox.execIn(c, "ip", "-o", "addr", "show", "dev", "eth0").output().contains("10.79.0."), "its address stays");
        cli.run("detach", "crash", "--netns", c).ok();
        assertClean(sandbox, c);
    }

    @Test
    void detachInterruptedIsFinished(Sandbox sandbox) throws Exception {
        String c = sandbox.netns("c");
        JsonObject a = attach(c);
        sandbox.run("ip", "link", "del", a.get("hostIf").getAsString()); // the link went, the rest did not
        writeJournal("detach", c, List.of());
        Cli.Run gc = cli.run("gc").ok();
        assertTrue(gc.out().contains("recovered 1"), gc.out());
        assertClean(sandbox, c);
    }

    @Test
    void createInterruptedIsUndone(Sandbox sandbox) throws Exception {
        sandbox.run("ip", "link", "add", "pbhalf0", "type", "bridge");
        String config = "{\"name\":\"half\",\"driver\":\"bridge\",\"subnet\":\"10.80.0.0/24\",\"gateway\":\"10.80.0.1\","
                + "\"subnet6\":null,\"gateway6\":null,\"bridge\":\"pbhalf0\",\"masquerade\":false,\"uplink\":null,\"isolate\":false,\"mtu\":null}";
        writeJournal("create", null, List.of(Map.of("kind", "network", "data", Map.of("config", config))), "half");
        cli.run("gc").ok();
        assertFalse(sandbox.run("ip", "-o", "link", "show").contains("pbhalf0"));
        assertEquals(0, journalCount());
    }

    /**
     * A service create that died after its last kernel step, before its record: rewound to that point (its journal entry,
     * with its VIP, written; its record not), the network is degraded naming it, and gc undoes it: no rule, no VIP on the
     * bridge, no reservation, no entry.
     */
    @Test
    void serviceCreateInterruptedBeforeItsRecordIsUndone(Sandbox sandbox) throws Exception {
        String vip = JsonParser.parseString(cli.run("-o", "json", "service", "create", "api", "--network", "crash", "--port", "80/tcp").ok().out())
                .getAsJsonObject().get("vip").getAsString();
        JsonObject pending = new JsonObject();
        pending.addProperty("name", "api");
        pending.addProperty("network", "crash");
        pending.addProperty("host", "");
        JsonArray vips = new JsonArray();
        vips.add(vip);
        pending.add("vips", vips);
        JsonObject put = new JsonObject();
        put.addProperty("op", "put");
        put.addProperty("key", "api");
        put.add("value", pending);
        Files.writeString(state.resolve("services/journal.log"), put + "\n", java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(state.resolve("services/services.log"), "{\"op\":\"del\",\"key\":\"api\"}\n", java.nio.file.StandardOpenOption.APPEND);
        JsonObject net = JsonParser.parseString(cli.run("-o", "json", "network", "inspect", "crash").ok().out()).getAsJsonObject();
        assertEquals("degraded", net.get("health").getAsString(), net.toString());
        assertTrue(net.get("missing").toString().contains("service api half made"), net.toString());
        String gc = cli.run("gc").ok().out();
        assertTrue(gc.contains("undid the create of service api"), gc);
        assertEquals("[]", cli.run("-o", "json", "service", "ls").ok().out().strip());
        assertTrue(live(state.resolve("services/journal.log")).isEmpty(), "no entry left");
        assertFalse(sandbox.run("ip", "-o", "addr", "show", "dev", "pbcrash0").contains(vip + "/32"), "no VIP on the bridge");
        assertFalse(sandbox.run("nft", "list", "ruleset").contains("svc:api"), "no rule");
        assertFalse(Files.exists(state.resolve("ipam/crash/" + vip)), "no reservation: the VIP can be taken again");
    }

    @Test
    void killedDuringAnAttachLeavesAttachedOrNothing(Sandbox sandbox) throws Exception {
        String c = sandbox.netns("c");
        Map<String, Integer> seen = new TreeMap<>();
        for (int i = 0; i < 12; i++) {
            ProcessBuilder pb = new ProcessBuilder(Cli.DIST.resolve("bin/patchbay").toString(), "attach", "crash", "--netns", c)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("PATCHBAY_STATE_DIR", state.toString());
            pb.environment().put("PATCHBAY_DAEMON", "off");
            Process p = pb.start();
            // wait until the attach has begun (its journal entry exists), then kill it a little later each time
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (p.isAlive() && journalCount() == 0 && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(200_000); // not a spin: it would take a core from the attach
            }
            Thread.sleep(i * 12L); // 0 to 132 ms: an attach in a fresh JVM takes about that long after its entry
            p.destroyForcibly().waitFor();
            seen.merge(journalSteps() + (recorded(c) ? "+record" : ""), 1, Integer::sum);
            cli.run("gc").ok();
            boolean attached = recorded(c);
            if (attached) {
                cli.run("detach", "crash", "--netns", c).ok();
            }
            assertClean(sandbox, c);
        }
        System.out.println("crash points hit (journal steps at the kill): " + seen);
    }

    private JsonObject attach(String c) {
        cli.run("attach", "crash", "--netns", c).ok();
        JsonArray all = JsonParser.parseString(cli.run("-o", "json", "ls", "crash").ok().out()).getAsJsonArray();
        return all.get(0).getAsJsonObject();
    }

    /** Whether the network's attachment log holds {@code c}. */
    private boolean recorded(String c) throws Exception {
        return live(state.resolve("attachments/crash.log")).containsKey(c);
    }

    /** The live values of a state log (lines that put or delete a key); a line the kill cut short is skipped. */
    private static Map<String, JsonObject> live(Path log) throws Exception {
        Map<String, JsonObject> out = new TreeMap<>();
        if (!Files.exists(log)) {
            return out;
        }
        for (String line : Files.readAllLines(log)) {
            JsonObject l;
            try {
                l = JsonParser.parseString(line).getAsJsonObject();
            } catch (com.google.gson.JsonParseException cutShort) {
                continue;
            }
            switch (l.get("op").getAsString()) {
                case "put" -> out.put(l.get("key").getAsString(), l.getAsJsonObject("value"));
                case "del" -> out.remove(l.get("key").getAsString());
                default -> { }
            }
        }
        return out;
    }

    /** As if the attach had died before its last step: the record is not there. */
    private void forgetRecord(String c) throws Exception {
        JsonObject del = new JsonObject();
        del.addProperty("op", "del");
        del.addProperty("key", c);
        Files.writeString(state.resolve("attachments/crash.log"), del + "\n", java.nio.file.StandardOpenOption.APPEND);
    }

    private void writeJournal(String op, String containerId, List<Map<String, Object>> steps) throws Exception {
        writeJournal(op, containerId, steps, "crash");
    }

    private void writeJournal(String op, String containerId, List<Map<String, Object>> steps, String network) throws Exception {
        Path ns = Path.of("/proc/thread-self/ns/net");
        String host = Files.getAttribute(ns, "unix:dev") + ":" + Files.getAttribute(ns, "unix:ino");
        String id = op + "-" + UUID.randomUUID();
        JsonObject entry = new JsonObject();
        entry.addProperty("id", id);
        entry.addProperty("op", op);
        entry.addProperty("network", network);
        entry.addProperty("containerId", containerId);
        entry.addProperty("hostNetns", host);
        entry.add("steps", new com.google.gson.Gson().toJsonTree(steps));
        Files.createDirectories(state.resolve("journal"));
        Files.writeString(state.resolve("journal/" + id + ".json"), entry.toString());
    }

    private String journalSteps() throws Exception {
        List<String> kinds = new ArrayList<>();
        for (JsonObject e : journalEntries()) {
            e.getAsJsonArray("steps").forEach(s -> kinds.add(s.getAsJsonObject().get("kind").getAsString()));
            kinds.add(0, e.get("op").getAsString() + ":");
        }
        return kinds.isEmpty() ? "none" : String.join(" ", kinds);
    }

    private long journalCount() throws Exception {
        return journalEntries().size();
    }

    /** Operations in flight: the entries of the networks' journal logs, and entries written as single files. */
    private List<JsonObject> journalEntries() throws Exception {
        List<JsonObject> out = new ArrayList<>();
        if (!Files.isDirectory(state.resolve("journal"))) {
            return out;
        }
        try (Stream<Path> files = Files.list(state.resolve("journal"))) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".log")) {
                    out.addAll(live(f).values());
                } else if (name.endsWith(".json")) {
                    try {
                        out.add(JsonParser.parseString(Files.readString(f)).getAsJsonObject());
                    } catch (com.google.gson.JsonParseException | java.nio.file.NoSuchFileException gone) {
                        // being written or removed
                    }
                }
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return out;
        }
        return out;
    }

    /** Nothing of the container's attachment exists: no link, no address record, no journal, no record. */
    private void assertClean(Sandbox sandbox, String c) throws Exception {
        String links = sandbox.run("ip", "-o", "link", "show");
        assertFalse(links.contains(" veth"), links);
        assertFalse(sandbox.execIn(c, "ip", "-o", "link", "show").output().contains("eth0"), "the container has no eth0");
        assertEquals(0, journalCount(), "journal empty");
        assertFalse(recorded(c), "no record");
        Path ipam = state.resolve("ipam/crash");
        if (Files.isDirectory(ipam)) {
            try (Stream<Path> files = Files.list(ipam)) {
                List<String> held = files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("10.79.")).toList();
                assertEquals(List.of(), held, "no address held");
            }
        }
    }
}
