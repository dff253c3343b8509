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
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Damage in a state file is named (file and what is wrong, in words), contained (it concerns its own network only) and
 * repairable ({@code gc --repair} rebuilds what it can from the kernel and the other records, and says what it did).
 */
@NetnsTest
class StateDamageIT {
    /** One daemon serves every test's set-up: a JVM a command was most of this class's time. */
    @RegisterExtension
    static final DaemonCli DAEMON = new DaemonCli(DaemonCli.AS_ONE_SHOT);
    private final Cli cli = DAEMON.fresh();
    private final Path state = cli.stateDir();

    /**
     * Two networks' records damaged at once, one emptied and one cut in the middle: each is named with its own problem,
     * neither concerns the other networks, and {@code gc --repair} rebuilds both.
     */
    @Test
    void emptiedAndCutNetworkRecordsConcernOnlyTheirNetworksAndAreRebuilt(Sandbox sandbox) throws Exception {
        String c1 = sandbox.netns("c1");
        String c2 = sandbox.netns("c2");
        String c3 = sandbox.netns("c3");
        String c4 = sandbox.netns("c4");
        Map<String, String> problems = Map.of("dmg", "empty", "cut", "cut short");
        try {
            cli.run("network", "create", "dmg", "--subnet", "10.111.0.0/24", "--bridge", "pbdmg0", "--masquerade").ok();
            cli.run("network", "create", "cut", "--subnet", "10.117.0.0/24", "--bridge", "pbcut0", "--masquerade").ok();
            cli.run("network", "create", "fine", "--subnet", "10.112.0.0/24", "--bridge", "pbfine0").ok();
            cli.run("attach", "dmg", "--netns", c1, "--publish", "8083:80/tcp").ok();
            cli.run("attach", "cut", "--netns", c4, "--publish", "8086:80/tcp").ok();
            cli.run("attach", "fine", "--netns", c2).ok();
            Map<String, JsonObject> before = new java.util.HashMap<>();
            for (String n : problems.keySet()) {
                before.put(n, JsonParser.parseString(cli.run("-o", "json", "network", "inspect", n).ok().out()).getAsJsonObject());
                Path record = state.resolve("networks/" + n + ".json");
                byte[] whole = Files.readAllBytes(record);
                Files.write(record, n.equals("dmg") ? new byte[0] : Arrays.copyOf(whole, whole.length / 2));
            }

            Cli.Run ls = cli.run("network", "ls").ok();
            assertTrue(ls.out().contains("fine") && ls.out().contains("dmg") && ls.out().contains("cut"), ls.out());
            assertEquals(2, ls.out().lines().filter(l -> l.contains("damaged")).count(), ls.out());
            clean(ls.err());
            for (Map.Entry<String, String> p : problems.entrySet()) {
                Cli.Run attach = cli.run("attach", p.getKey(), "--netns", c3);
                assertEquals(1, attach.code(), attach.err());
                assertEquals(1, attach.err().strip().lines().count(), "one line: " + attach.err());
                assertTrue(attach.err().contains(state.resolve("networks/" + p.getKey() + ".json").toString())
                        && attach.err().contains(p.getValue()) && attach.err().contains("gc --repair"), attach.err());
                clean(attach.err());
            }
            cli.run("attach", "fine", "--netns", c3).ok(); // the other network keeps working
            cli.run("network", "create", "new", "--subnet", "10.113.0.0/24", "--bridge", "pbnew0").ok();
            cli.run("ls").ok();
            Cli.Run gc = cli.run("gc").ok();
            assertTrue(gc.out().contains("gc --repair"), "plain gc names the damage and what repairs it: " + gc.out());

            Cli.Run repair = cli.run("gc", "--repair").ok();
            for (String n : problems.keySet()) {
                assertTrue(repair.out().contains("rebuilt network \"" + n + "\""), repair.out());
                JsonObject after = JsonParser.parseString(cli.run("-o", "json", "network", "inspect", n).ok().out()).getAsJsonObject();
                for (String field : List.of("subnet", "gateway", "driver", "plugins", "options")) {
                    assertEquals(before.get(n).getAsJsonObject("config").get(field), after.getAsJsonObject("config").get(field),
                            n + ": " + field + " rebuilt: " + after);
                }
                assertEquals(before.get(n).get("attachments"), after.get("attachments"), n + ": its attachments: " + after);
                assertEquals("ok", after.get("health").getAsString(), after.toString());
            }
            cli.run("detach", "dmg", "--netns", c1).ok();
            cli.run("attach", "dmg", "--netns", c3).ok();
            cli.run("detach", "cut", "--netns", c4).ok();
            cli.run("attach", "cut", "--netns", c3).ok();
        } finally {
            cli.run("network", "rm", "--force", "dmg", "cut", "fine", "new");
        }
        String nft = Sandbox.exec("nft", "list", "ruleset").output();
        assertFalse(nft.contains("8083") || nft.contains("8086"), "no DNAT left: " + nft);
        cli.assertNoRecords();
    }

    /** A firewall log line cut short (the owner of a published port unread): network rm --force still removes its DNAT. */
    @Test
    void tornFirewallLogLineLeavesNoDnatBehind(Sandbox sandbox) throws Exception {
        String c1 = sandbox.netns("c1");
        cli.run("firewall", "backend", "nftables").ok();
        cli.run("network", "create", "torn", "--subnet", "10.114.0.0/24", "--bridge", "pbtorn0").ok();
        cli.run("attach", "torn", "--netns", c1, "--publish", "8084:80/tcp").ok();
        Path log;
        try (Stream<Path> files = Files.list(state.resolve("firewall"))) {
            log = files.filter(f -> f.toString().endsWith(".log")).findFirst().orElseThrow();
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(log));
        String owner = lines.stream().filter(l -> l.contains("\"put\"") && l.contains("8084")).reduce((a, b) -> b).orElseThrow();
        lines.remove(owner);
        Files.writeString(log, String.join("\n", lines) + "\n" + owner.substring(0, owner.length() / 2));
        Cli.Run rm = DaemonCli.direct(cli).run("network", "rm", "--force", "torn").ok(); // a process that reads the torn log
        clean(rm.err());
        String nft = Sandbox.exec("nft", "list", "ruleset").output();
        assertFalse(nft.contains("8084"), "the published port went with its network: " + nft);
        assertFalse(sandbox.run("ip", "-o", "link", "show").contains("pbtorn0"));
        cli.assertNoRecords();
    }

    /** A line of the journal that cannot be read (garbage, or JSON that is no entry) blocks nothing; gc repairs it. */
    @Test
    void invalidJournalLinesBlockNothingAndGcRepairsThem(Sandbox sandbox) throws Exception {
        String c1 = sandbox.netns("c1");
        cli.run("network", "create", "jrn", "--subnet", "10.115.0.0/24", "--bridge", "pbjrn0").ok();
        Path journal = state.resolve("journal/jrn.log");
        if (!Files.exists(journal)) {
            Files.createDirectories(journal.getParent());
            Files.writeString(journal, "{\"op\":\"log\",\"gen\":7,\"network\":\"jrn\"}\n");
        }
        Files.writeString(journal, "garbage\n{\"op\":\"put\",\"key\":\"x\",\"value\":{\"id\":\"x\"}}\n", StandardOpenOption.APPEND);
        try {
            clean(cli.run("attach", "jrn", "--netns", c1).ok().err());
            clean(cli.run("detach", "jrn", "--netns", c1).ok().err());
            clean(cli.run("attach", "jrn", "--netns", c1).ok().err());
            Cli.Run gc = cli.run("gc").ok();
            clean(gc.err());
            assertTrue(gc.out().contains("journal"), "gc says it repaired the journal: " + gc.out());
            String text = Files.readString(journal);
            assertFalse(text.contains("garbage") || text.contains("\"key\":\"x\""), text);
            try (Stream<Path> files = Files.list(journal.getParent())) {
                assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith("jrn.log.damaged-")), "the damaged log is kept");
            }
            Files.writeString(journal, "garbage again\n", StandardOpenOption.APPEND);
            clean(cli.run("detach", "jrn", "--netns", c1).ok().err());
        } finally {
            Cli.Run rm = cli.run("network", "rm", "--force", "jrn");
            clean(rm.err());
            rm.ok();
        }
        try (Stream<Path> files = Files.list(journal.getParent())) {
            files.filter(f -> f.getFileName().toString().contains(".damaged-")).forEach(f -> f.toFile().delete());
        }
        cli.assertNoRecords();
    }

    /** Network definitions are root's only and written whole (temp file, sync, rename, folder sync). */
    @Test
    void networkRecordsAreRootsOnly(Sandbox sandbox) throws Exception {
        cli.run("network", "create", "mode", "--subnet", "10.116.0.0/24", "--bridge", "pbmode0").ok();
        try {
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(state.resolve("networks/mode.json"))));
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(state.resolve("networks"))));
        } finally {
            cli.run("network", "rm", "mode").ok();
        }
    }

    /** No Java exception text, no internal owner id. */
    static void clean(String err) {
        for (String bad : List.of("Exception", "java.", "gson", "att:", "net:")) {
            assertFalse(err.contains(bad), "no \"" + bad + "\" in: " + err);
        }
    }
}
