package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * State files carry a format version. Files as a release before formats wrote them (made here by taking the member out
 * of what this build wrote: that is their layout) are read as they are and upgraded by gc; a file of a newer format is
 * refused by every command that reads it, naming the file and both formats, and nothing is changed, repaired or set aside.
 */
@NetnsTest
class StateFormatIT {
    private final Cli cli = Cli.fresh();
    private final Path state = cli.stateDir();

    @Test
    void filesOfBeforeFormatsAreReadAndUpgradedByGc(Sandbox sandbox) throws Exception {
        String c1 = sandbox.netns("c1");
        try {
            cli.run("firewall", "backend", "nftables").ok();
            cli.run("network", "create", "old", "--subnet", "10.117.0.0/24", "--bridge", "pbold0", "--masquerade").ok();
            cli.run("attach", "old", "--netns", c1, "--publish", "8087:80/tcp").ok();
            String inspect = cli.run("-o", "json", "network", "inspect", "old").ok().out();
            List<Path> files = stateFiles();
            assertTrue(files.size() >= 3, "a record, an attachment log, a firewall log: " + files);
            for (Path f : files) {
                unversion(f);
            }
            Map<Path, String> before = contents();

            assertEquals(inspect, cli.run("-o", "json", "network", "inspect", "old").ok().out(), "read as they are");
            assertTrue(cli.run("ls").ok().out().contains("old"));
            assertEquals(before, contents(), "reading changes nothing");

            Cli.Run gc = cli.run("gc").ok();
            StateDamageIT.clean(gc.err());
            assertTrue(gc.out().contains("upgraded to state format 1"), gc.out());
            for (Path f : files) {
                assertEquals(1, first(f).get("format").getAsInt(), f + ": " + Files.readString(f));
            }
            assertEquals(inspect, cli.run("-o", "json", "network", "inspect", "old").ok().out(), "nothing lost");
            assertFalse(cli.run("gc").ok().out().contains("upgraded"), "once");
            cli.run("detach", "old", "--netns", c1).ok();
        } finally {
            cli.run("network", "rm", "--force", "old");
        }
        assertFalse(Sandbox.exec("nft", "list", "ruleset").output().contains("8087"), "no DNAT left");
        cli.assertNoRecords();
    }

    /** A gc killed (-9) at moments from the first file's upgrade on leaves each file whole, old or new; the next gc ends it. */
    @Test
    void killedDuringAnUpgradeLeavesEachFileWholeOldOrNew(Sandbox sandbox) throws Exception {
        String c1 = sandbox.netns("c1");
        try {
            cli.run("network", "create", "kill", "--subnet", "10.119.0.0/24", "--bridge", "pbkill0").ok();
            cli.run("attach", "kill", "--netns", c1, "--publish", "8089:80/tcp").ok();
            String inspect = cli.run("-o", "json", "network", "inspect", "kill").ok().out();
            List<Path> files = stateFiles();
            Map<Path, String> live = new TreeMap<>();
            for (Path f : files) {
                live.put(f, live(f));
                unversion(f);
            }
            Map<Path, String> old = contents();
            Path record = state.resolve("networks/kill.json");
            Map<String, Integer> seen = new TreeMap<>();
            for (int i = 0; i < 5; i++) {
                for (Path f : files) {
                    Files.writeString(f, old.get(f));
                }
                Object inode = Files.getAttribute(record, "unix:ino");
                ProcessBuilder pb = new ProcessBuilder(Cli.DIST.resolve("bin/patchbay").toString(), "gc")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
                pb.environment().put("PATCHBAY_STATE_DIR", state.toString());
                pb.environment().put("PATCHBAY_DAEMON", "off");
                Process p = pb.start();
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
                while (p.isAlive() && inode.equals(Files.getAttribute(record, "unix:ino")) && System.nanoTime() < deadline) {
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000); // until the first file is upgraded (a spin would take a core from the gc)
                }
                Thread.sleep(i * 3L); // 0 to 12 ms after the first file was written anew
                p.destroyForcibly().waitFor();
                int upgraded = 0;
                for (Path f : files) {
                    String now = Files.readString(f);
                    if (!now.equals(old.get(f))) {
                        assertEquals(1, first(f).get("format").getAsInt(), f + " is the old file or the new one, whole: " + now);
                        assertEquals(live.get(f), live(f), f + ": nothing lost");
                        upgraded++;
                    }
                }
                seen.merge(upgraded + " of " + files.size() + " upgraded", 1, Integer::sum);
                cli.run("gc").ok();
                for (Path f : files) {
                    assertEquals(1, first(f).get("format").getAsInt(), f.toString());
                    assertEquals(live.get(f), live(f), f + ": nothing lost");
                }
                assertEquals(inspect, cli.run("-o", "json", "network", "inspect", "kill").ok().out());
            }
            System.out.println("kills during the upgrade: " + seen);
            cli.run("detach", "kill", "--netns", c1).ok();
        } finally {
            cli.run("network", "rm", "--force", "kill");
        }
        cli.assertNoRecords();
    }

    /** What a file says, without its format: a record's members, a log's live keys. */
    private static String live(Path f) throws Exception {
        List<String> lines = Files.readAllLines(f);
        JsonObject head = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        head.remove("format");
        head.remove("gen");
        Map<String, String> out = new TreeMap<>();
        head.entrySet().forEach(e -> out.put("header " + e.getKey(), e.getValue().toString()));
        for (String line : lines.subList(1, lines.size())) {
            JsonObject l;
            try {
                l = JsonParser.parseString(line).getAsJsonObject();
            } catch (com.google.gson.JsonParseException cutShort) {
                continue; // a line the kill cut short: never read
            }
            if (l.get("op").getAsString().equals("put")) {
                out.put(l.get("key").getAsString(), l.get("value").toString());
            } else {
                out.remove(l.get("key").getAsString());
            }
        }
        return out.toString();
    }

    @Test
    void aFileOfANewerFormatIsRefusedAndNothingChanges(Sandbox sandbox) throws Exception {
        String c1 = sandbox.netns("c1");
        try {
            cli.run("network", "create", "cur", "--subnet", "10.118.0.0/24", "--bridge", "pbcur0").ok();
            cli.run("attach", "cur", "--netns", c1).ok();
            Path newer = state.resolve("networks/new.json");
            Files.writeString(newer, "{\"format\":2,\"config\":{\"name\":\"new\",\"layout\":\"of a later release\"}}\n");
            Map<Path, String> before = contents();
            for (List<String> argv : List.of(List.of("network", "ls"), List.of("network", "inspect", "new"), List.of("gc"),
                    List.of("gc", "--repair"), List.of("network", "rm", "--force", "new"))) {
                Cli.Run r = cli.run(argv.toArray(String[]::new));
                assertEquals(1, r.code(), argv + ": " + r.err() + r.out());
                assertEquals(1, r.err().strip().lines().count(), argv + ", one line: " + r.err());
                assertTrue(r.err().contains("\"" + newer + "\" has format 2") && r.err().contains("reads formats up to 1")
                        && r.err().contains("upgrade Patchbay"), argv + ": " + r.err());
                StateDamageIT.clean(r.err());
                assertEquals(before, contents(), argv + ": nothing changed, repaired or set aside");
            }
            Cli.Run doctor = cli.run("doctor");
            assertTrue(doctor.out().contains("\"" + newer + "\" has format 2") && !doctor.out().contains("gc repairs")
                    && !doctor.out().contains("every record readable"), "doctor names it, as no damage: " + doctor.out());
            assertEquals(before, contents(), "doctor: nothing changed");
            Files.delete(newer);
            Path log = state.resolve("attachments/cur.log");
            List<String> lines = new ArrayList<>(Files.readAllLines(log));
            JsonObject h = JsonParser.parseString(lines.get(0)).getAsJsonObject();
            h.addProperty("format", 3);
            lines.set(0, h.toString());
            Files.writeString(log, String.join("\n", lines) + "\n");
            before = contents();
            for (List<String> argv : List.of(List.of("ls"), List.of("detach", "cur", "--netns", c1), List.of("gc", "--repair"))) {
                Cli.Run r = cli.run(argv.toArray(String[]::new));
                assertEquals(1, r.code(), argv + ": " + r.err() + r.out());
                assertTrue(r.err().contains("\"" + log + "\" has format 3"), argv + ": " + r.err());
                assertEquals(before, contents(), argv + ": nothing changed");
            }
            Files.writeString(log, String.join("\n", lines).replace(",\"format\":3", ",\"format\":1") + "\n");
            cli.run("detach", "cur", "--netns", c1).ok();
        } finally {
            cli.run("network", "rm", "--force", "cur");
        }
        cli.assertNoRecords();
    }

    /** The network records and the logs (attachments, journal, firewall) of the state folder. */
    private List<Path> stateFiles() throws Exception {
        try (Stream<Path> walk = Files.walk(state)) {
            return walk.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".json") || f.toString().endsWith(".log"))
                    .filter(f -> !f.toString().contains("/ipam/")).sorted().toList();
        }
    }

    /** The file as a release before formats wrote it: its first line without the member. */
    private static void unversion(Path f) throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(f));
        JsonObject h = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertEquals(1, h.remove("format").getAsInt(), f + " is written with its format");
        lines.set(0, h.toString());
        Files.writeString(f, String.join("\n", lines) + "\n");
    }

    private static JsonObject first(Path f) throws Exception {
        return JsonParser.parseString(Files.readAllLines(f).get(0)).getAsJsonObject();
    }

    /** Every file of the state folder but the locks, by path. */
    private Map<Path, String> contents() throws Exception {
        Map<Path, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(state)) {
            for (Path f : walk.filter(Files::isRegularFile).filter(f -> !f.toString().endsWith(".lock")).toList()) {
                out.put(f, Files.readString(f));
            }
        }
        return out;
    }
}
