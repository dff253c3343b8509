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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The kernel is the truth for what exists, the records for what was asked: lost kernel state (a reboot, a deleted
 * bridge, a flushed table) is shown as "degraded" with what is missing, and rebuilt by {@code gc} or by the next
 * command that touches the network; a network whose host namespace is gone can be removed. No daemon: every call is a
 * fresh process, working in-process.
 */
@NetnsTest
class ReconcileIT {
    private final Cli cli = Cli.fresh();
    private final Path state = cli.stateDir();

    /** A simulated reboot: the host namespace and the container are deleted and made again; the records stay. */
    @Test
    void rebootedHostIsShownDegradedAndRebuiltByGc(Sandbox sandbox) throws Exception {
        String host = sandbox.netns("host");
        String c1 = sandbox.netns("c1");
        cli.run("-n", host, "network", "create", "rb", "--subnet", "10.101.0.0/24", "--bridge", "pbrb0", "--masquerade").ok();
        cli.run("-n", host, "attach", "rb", "--netns", c1, "--publish", "8080:80/tcp").ok();

        sandbox.run("ip", "netns", "del", host);
        sandbox.run("ip", "netns", "del", c1);
        sandbox.run("ip", "netns", "add", host);
        sandbox.run("ip", "netns", "add", c1);

        Cli.Run ls = cli.run("-n", host, "network", "ls").ok();
        assertTrue(ls.out().contains("degraded") && ls.out().contains("pbrb0"), ls.out());
        JsonObject rb = network(cli.run("-n", host, "-o", "json", "network", "ls").ok().out(), "rb");
        assertEquals("degraded", rb.get("health").getAsString(), rb.toString());
        assertTrue(rb.get("missing").toString().contains("pbrb0"), rb.toString());
        Cli.Run inspect = cli.run("-n", host, "network", "inspect", "rb").ok();
        assertTrue(inspect.out().contains("degraded"), inspect.out());

        Cli.Run gc = cli.run("-n", host, "gc").ok();
        assertTrue(gc.out().contains("rebuilt") || gc.out().contains("repaired"), gc.out());
        assertTrue(sandbox.run("ip", "-n", host, "-o", "addr", "show", "dev", "pbrb0").contains("10.101.0.1/24"), "bridge and gateway are back");
        String nft = sandbox.execIn(host, "nft", "list", "ruleset").output();
        assertTrue(nft.contains("10.101.0.0/24"), "the masquerade is back: " + nft);
        assertFalse(nft.contains("8080"), "the container was replaced: its published port went with it: " + nft);
        assertEquals("ok", network(cli.run("-n", host, "-o", "json", "network", "ls").ok().out(), "rb").get("health").getAsString());
        assertEquals("[]", cli.run("-n", host, "-o", "json", "ls", "rb").ok().out().trim(), "the replaced container is detached");

        cli.run("-n", host, "attach", "rb", "--netns", c1).ok();
        assertTrue(sandbox.ping(c1, "10.101.0.1"), "the next attach works");
        cli.run("-n", host, "detach", "rb", "--netns", c1).ok();
        cli.run("-n", host, "network", "rm", "rb").ok();
        cli.assertNoRecords();
    }

    /** Someone deletes the bridge: shown, rebuilt by gc (its ports put back), and by the next attach on its own. */
    @Test
    void deletedBridgeIsShownAndRebuilt(Sandbox sandbox) throws Exception {
        String c1 = sandbox.netns("c1");
        String c2 = sandbox.netns("c2");
        String c3 = sandbox.netns("c3");
        try {
            cli.run("network", "create", "del", "--subnet", "10.102.0.0/24", "--bridge", "pbdel0").ok();
            cli.run("attach", "del", "--netns", c1).ok();
            sandbox.run("ip", "link", "del", "pbdel0");

            Cli.Run ls = cli.run("network", "ls").ok();
            assertTrue(ls.out().contains("degraded"), ls.out());
            JsonObject d = JsonParser.parseString(cli.run("-o", "json", "network", "inspect", "del").ok().out()).getAsJsonObject();
            assertEquals("degraded", d.get("health").getAsString(), d.toString());
            assertTrue(d.get("missing").toString().contains("pbdel0"), d.toString());

            Cli.Run gc = cli.run("gc").ok();
            assertTrue(gc.out().contains("pbdel0"), gc.out());
            assertTrue(sandbox.ping(c1, "10.102.0.1"), "the bridge is back with its gateway, and c1 is a port of it again");
            cli.run("attach", "del", "--netns", c2).ok();
            assertTrue(sandbox.ping(c2, "10.102.0.2"), "c2 -> c1");

            sandbox.run("ip", "link", "del", "pbdel0"); // again, and this time no gc: the next attach rebuilds it
            cli.run("attach", "del", "--netns", c3).ok();
            assertTrue(sandbox.ping(c3, "10.102.0.2"), "c3 -> c1 after the attach rebuilt the bridge");
            assertEquals("ok", JsonParser.parseString(cli.run("-o", "json", "network", "inspect", "del").ok().out())
                    .getAsJsonObject().get("health").getAsString());
        } finally {
            cli.run("network", "rm", "--force", "del");
        }
        assertFalse(sandbox.run("ip", "-o", "link", "show").contains("pbdel0"));
        cli.assertNoRecords();
    }

    /**
     * A container's link deleted while the container lives (or its address flushed inside it): shown, and gc plugs it
     * in again with its recorded address, MAC and published port (the driver's set-up is not idempotent: what is left
     * is torn down first).
     */
    @Test
    void lostContainerLinkIsPluggedInAgain(Sandbox sandbox) throws Exception {
        String c1 = sandbox.netns("c1");
        try {
            cli.run("firewall", "backend", "nftables").ok();
            cli.run("network", "create", "plug", "--subnet", "10.110.0.0/24", "--bridge", "pbplug0").ok();
            cli.run("attach", "plug", "--netns", c1, "--publish", "8085:80/tcp").ok();
            JsonObject a = JsonParser.parseString(cli.run("-o", "json", "ls", "plug").ok().out()).getAsJsonArray().get(0).getAsJsonObject();
            String mac = a.get("mac").getAsString();
            sandbox.run("ip", "link", "del", a.get("hostIf").getAsString());

            JsonObject d = JsonParser.parseString(cli.run("-o", "json", "network", "inspect", "plug").ok().out()).getAsJsonObject();
            assertEquals("degraded", d.get("health").getAsString(), d.toString());
            assertTrue(d.get("missing").toString().contains(a.get("hostIf").getAsString()), d.toString());
            Cli.Run gc = cli.run("gc").ok();
            assertTrue(gc.out().contains("plugged \"" + c1 + "\" in again"), gc.out());
            String eth0 = sandbox.execIn(c1, "ip", "-o", "addr", "show", "dev", "eth0").output();
            assertTrue(eth0.contains("10.110.0.2/24"), "its address again: " + eth0);
            assertTrue(sandbox.execIn(c1, "ip", "-o", "link", "show", "dev", "eth0").output().contains(mac), "its MAC again");
            assertTrue(sandbox.ping(c1, "10.110.0.1"), "c1 -> gateway");
            assertTrue(Sandbox.exec("nft", "list", "ruleset").output().contains("8085"), "its published port stays");

            sandbox.run("ip", "-n", c1, "addr", "flush", "dev", "eth0"); // inside the container: only a deep check sees it
            d = JsonParser.parseString(cli.run("-o", "json", "network", "inspect", "plug").ok().out()).getAsJsonObject();
            assertTrue(d.get("missing").toString().contains("10.110.0.2/24"), d.toString());
            cli.run("gc").ok();
            assertTrue(sandbox.ping(c1, "10.110.0.1"), "c1 -> gateway after its address was put back");
            assertEquals("ok", JsonParser.parseString(cli.run("-o", "json", "network", "inspect", "plug").ok().out())
                    .getAsJsonObject().get("health").getAsString());
            cli.run("detach", "plug", "--netns", c1).ok();
        } finally {
            cli.run("network", "rm", "--force", "plug");
        }
        assertFalse(Sandbox.exec("nft", "list", "ruleset").output().contains("8085"));
        cli.assertNoRecords();
    }

    @Test
    void createOfARecordWhoseKernelSideIsGoneSaysSo(Sandbox sandbox) throws Exception {
        try {
            cli.run("network", "create", "gone", "--subnet", "10.103.0.0/24", "--bridge", "pbgone0").ok();
            sandbox.run("ip", "link", "del", "pbgone0");
            Cli.Run again = cli.run("network", "create", "gone", "--subnet", "10.103.0.0/24", "--bridge", "pbgone0");
            assertEquals(1, again.code(), again.err());
            assertTrue(again.err().contains("already exists") && again.err().contains("pbgone0") && again.err().contains("patchbay gc"),
                    again.err());
        } finally {
            cli.run("network", "rm", "gone").ok();
        }
        cli.assertNoRecords();
    }

    /** Without a daemon, a publish that finds table inet patchbay gone puts back every owner's rules, not only its own. */
    @Test
    void publishThatRebuildsTheTablePutsBackTheNetworkRules(Sandbox sandbox) throws Exception {
        String c1 = sandbox.netns("c1");
        try {
            cli.run("firewall", "backend", "nftables").ok();
            cli.run("network", "create", "pub", "--subnet", "10.104.0.0/24", "--bridge", "pbpub0", "--masquerade").ok();
            cli.run("attach", "pub", "--netns", c1, "--publish", "8081:80/tcp").ok();
            sandbox.run("nft", "delete", "table", "inet", "patchbay");
            cli.run("publish", "pub", "--netns", c1, "9091:90/tcp").ok();
            String nft = Sandbox.exec("nft", "list", "table", "inet", "patchbay").output();
            assertTrue(nft.contains("9091"), nft);
            assertTrue(nft.contains("8081"), "the container's other published port is back: " + nft);
            assertTrue(nft.contains("10.104.0.0/24") && nft.contains("masquerade"), "the network's masquerade is back: " + nft);
            assertTrue(nft.contains("pbpub0"), "the network's forward accepts are back: " + nft);
        } finally {
            cli.run("network", "rm", "--force", "pub");
        }
        assertFalse(Sandbox.exec("nft", "list", "ruleset").output().contains("patchbay"));
        cli.assertNoRecords();
    }

    /** The host namespace was deleted for good: network rm (from anywhere) and gc forget the network. */
    @Test
    void networkWhoseHostNamespaceIsGoneIsRemovable(Sandbox sandbox) throws Exception {
        String h1 = sandbox.netns("h1");
        String h2 = sandbox.netns("h2");
        String c1 = sandbox.netns("c1");
        cli.run("-n", h1, "network", "create", "orph1", "--subnet", "10.105.0.0/24", "--bridge", "pbor1").ok();
        cli.run("-n", h1, "attach", "orph1", "--netns", c1, "--publish", "8082:80/tcp").ok();
        cli.run("-n", h2, "network", "create", "orph2", "--subnet", "10.106.0.0/24", "--bridge", "pbor2").ok();
        sandbox.run("ip", "netns", "del", h1);
        sandbox.run("ip", "netns", "del", h2);
        for (int i = 0; i < 50 && sandbox.execIn(c1, "ip", "-o", "link", "show").output().contains("eth0"); i++) {
            Thread.sleep(100); // the kernel cleans a deleted namespace up a moment later: then c1's end of the veth goes too
        }
        cli.run("network", "create", "here", "--subnet", "10.107.0.0/24", "--bridge", "pbor1").ok(); // same bridge name, here
        try {
            Cli.Run refused = cli.run("network", "rm", "orph1");
            assertEquals(1, refused.code(), refused.err());
            assertTrue(refused.err().contains("--force"), refused.err());
            Cli.Run rm = cli.run("network", "rm", "--force", "orph1").ok();
            assertTrue(rm.out().contains("orph1"), rm.out());
            assertTrue(sandbox.run("ip", "-o", "link", "show").contains("pbor1"), "nothing of this namespace was touched");
            Cli.Run gc = cli.run("gc").ok();
            assertTrue(gc.out().contains("orph2"), gc.out());
            String ls = cli.run("network", "ls").ok().out();
            assertFalse(ls.contains("orph1") || ls.contains("orph2"), ls);
            assertEquals("[]", cli.run("-o", "json", "ls", "here").ok().out().trim());
        } finally {
            cli.run("network", "rm", "--force", "here");
        }
        cli.assertNoRecords();
    }

    /** Small things users see: an unknown network, a container never attached. */
    @Test
    void unknownNetworkAndNeverAttachedContainer(Sandbox sandbox) throws Exception {
        Cli.Run ls = cli.run("ls", "nosuch");
        assertEquals(1, ls.code(), ls.out() + ls.err());
        assertTrue(ls.err().contains("network \"nosuch\" not found"), ls.err());
        String c1 = sandbox.netns("c1");
        try {
            cli.run("network", "create", "na", "--subnet", "10.108.0.0/24", "--bridge", "pbna0").ok();
            Cli.Run detach = cli.run("detach", "na", "--netns", c1).ok();
            assertTrue(detach.out().contains("is not attached to network \"na\"; nothing to do"), detach.out());
        } finally {
            cli.run("network", "rm", "na").ok();
        }
    }

    /** Read-only commands create no lock file and no folder, on a fresh state directory and on a used one. */
    @Test
    void readOnlyCommandsCreateNothing(Sandbox sandbox) throws Exception {
        String[][] readOnly = {{"ls"}, {"network", "ls"}, {"firewall", "show"}, {"plugins", "ls"}, {"network", "inspect", "ro"}, {"ls", "ro"}};
        for (String[] args : readOnly) {
            cli.run(args);
        }
        assertEquals(0, files().length, "a fresh state directory stays empty: " + String.join(", ", files()));
        try {
            cli.run("network", "create", "ro", "--subnet", "10.109.0.0/24", "--bridge", "pbro0").ok();
            Stream.of("locks", "firewall").forEach(d -> Sandbox.exec("rm", "-rf", state.resolve(d).toString()));
            String[] before = files();
            for (String[] args : readOnly) {
                cli.run(args).ok();
            }
            assertEquals(String.join(", ", before), String.join(", ", files()), "no file made by a read-only command");
        } finally {
            cli.run("network", "rm", "ro").ok();
        }
    }

    private String[] files() throws Exception {
        try (Stream<Path> all = Files.walk(state)) {
            return all.filter(p -> !p.equals(state)).map(p -> state.relativize(p).toString()).sorted().toArray(String[]::new);
        }
    }

    static JsonObject network(String json, String name) {
        JsonArray all = JsonParser.parseString(json).getAsJsonArray();
        for (var n : all) {
            if (n.getAsJsonObject().get("name").getAsString().equals(name)) {
                return n.getAsJsonObject();
            }
        }
        throw new AssertionError("no network " + name + " in " + json);
    }
}
