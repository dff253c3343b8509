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
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The kernel is the truth for what exists, the records for what was asked: lost kernel state (a reboot, a deleted
 * bridge, a flushed table) is shown as "degraded" with what is missing, and rebuilt by {@code gc} or by the next
 * command that touches the network; a network whose host namespace is gone can be removed. What reads, shows and
 * repairs the damage is a fresh process each, working in-process (no daemon); the set-up and clean-up around it go
 * through one daemon for the class, which deletes a detach's link at once and repairs nothing on its own.
 */
@NetnsTest
class ReconcileIT {
    @RegisterExtension
    static final DaemonCli DAEMON = new DaemonCli(DaemonCli.AS_ONE_SHOT);
    /** Set-up and clean-up: the class's daemon. */
    private final Cli pb = DAEMON.fresh();
    /** What is under test: a fresh process a command, working in-process. */
    private final Cli cli = DaemonCli.direct(pb);
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

        JsonObject rb = network(cli.run("-n", host, "-o", "json", "network", "ls").ok().out(), "rb");
        assertEquals("degraded", rb.get("health").getAsString(), rb.toString());
        assertTrue(strings(rb, "missing").stream().anyMatch(m -> m.contains("pbrb0")), rb.toString());
        assertEquals("degraded", inspect(host, "rb").get("health").getAsString());

        JsonObject gc = gc(host);
        assertTrue(strings(gc, "repaired").stream().anyMatch(m -> m.startsWith("network \"rb\"")), gc.toString());
        assertEquals(Set.of("10.101.0.1/24"), Kernel.addresses(host, "pbrb0"), "bridge and gateway are back");
        Kernel.Ruleset nft = Kernel.ruleset(host);
        assertTrue(nft.masqueraded().contains("10.101.0.0/24"), "the masquerade is back: " + nft.lines());
        assertFalse(nft.dports().contains(8080), "the container was replaced: its published port went with it: " + nft.lines());
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
            pb.run("network", "create", "del", "--subnet", "10.102.0.0/24", "--bridge", "pbdel0").ok();
            pb.run("attach", "del", "--netns", c1).ok();
            sandbox.run("ip", "link", "del", "pbdel0");

            assertEquals("degraded", network(cli.run("-o", "json", "network", "ls").ok().out(), "del").get("health").getAsString());
            JsonObject d = inspect(null, "del");
            assertEquals("degraded", d.get("health").getAsString(), d.toString());
            assertTrue(strings(d, "missing").stream().anyMatch(m -> m.contains("pbdel0")), d.toString());

            JsonObject gc = gc(null);
            assertTrue(strings(gc, "repaired").stream().anyMatch(m -> m.contains("pbdel0")), gc.toString());
            assertTrue(sandbox.ping(c1, "10.102.0.1"), "the bridge is back with its gateway, and c1 is a port of it again");
            pb.run("attach", "del", "--netns", c2).ok();
            assertTrue(sandbox.ping(c2, "10.102.0.2"), "c2 -> c1");

            sandbox.run("ip", "link", "del", "pbdel0"); // again, and this time no gc: the next attach rebuilds it
            cli.run("attach", "del", "--netns", c3).ok();
            assertTrue(sandbox.ping(c3, "10.102.0.2"), "c3 -> c1 after the attach rebuilt the bridge");
            assertEquals("ok", inspect(null, "del").get("health").getAsString());
        } finally {
            pb.run("network", "rm", "--force", "del");
        }
        assertFalse(Kernel.links(null).contains("pbdel0"));
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
            pb.run("firewall", "backend", "nftables").ok();
            pb.run("network", "create", "plug", "--subnet", "10.110.0.0/24", "--bridge", "pbplug0").ok();
            pb.run("attach", "plug", "--netns", c1, "--publish", "8085:80/tcp").ok();
            JsonObject a = JsonParser.parseString(pb.run("-o", "json", "ls", "plug").ok().out()).getAsJsonArray().get(0).getAsJsonObject();
            String mac = a.get("mac").getAsString();
            sandbox.run("ip", "link", "del", a.get("hostIf").getAsString());

            JsonObject d = inspect(null, "plug");
            assertEquals("degraded", d.get("health").getAsString(), d.toString());
            assertTrue(strings(d, "missing").stream().anyMatch(m -> m.contains(a.get("hostIf").getAsString())), d.toString());
            JsonObject gc = gc(null);
            assertTrue(strings(gc, "repaired").stream().anyMatch(m -> m.startsWith("network \"plug\": plugged \"" + c1 + "\" in again")), gc.toString());
            assertEquals(Set.of("10.110.0.2/24"), Kernel.addresses(c1, "eth0"), "its address again");
            assertEquals(mac, Kernel.link(c1, "eth0").get("address").getAsString(), "its MAC again");
            assertTrue(sandbox.ping(c1, "10.110.0.1"), "c1 -> gateway");
            assertTrue(Kernel.ruleset(null).dports().contains(8085), "its published port stays");

            sandbox.run("ip", "-n", c1, "addr", "flush", "dev", "eth0"); // inside the container: only a deep check sees it
            d = inspect(null, "plug");
            assertTrue(strings(d, "missing").stream().anyMatch(m -> m.contains("10.110.0.2/24")), d.toString());
            cli.run("gc").ok();
            assertTrue(sandbox.ping(c1, "10.110.0.1"), "c1 -> gateway after its address was put back");
            assertEquals("ok", inspect(null, "plug").get("health").getAsString());
            pb.run("detach", "plug", "--netns", c1).ok();
        } finally {
            pb.run("network", "rm", "--force", "plug");
        }
        assertFalse(Kernel.ruleset(null).dports().contains(8085));
        cli.assertNoRecords();
    }

    @Test
    void createOfARecordWhoseKernelSideIsGoneSaysSo(Sandbox sandbox) throws Exception {
        try {
            pb.run("network", "create", "gone", "--subnet", "10.103.0.0/24", "--bridge", "pbgone0").ok();
            sandbox.run("ip", "link", "del", "pbgone0");
            Cli.Run again = cli.run("network", "create", "gone", "--subnet", "10.103.0.0/24", "--bridge", "pbgone0");
            assertEquals(1, again.code(), again.err());
            assertTrue(again.err().contains("pbgone0") && again.err().contains("patchbay gc"), again.err());
        } finally {
            pb.run("network", "rm", "gone").ok();
        }
        cli.assertNoRecords();
    }

    /** Without a daemon, a publish that finds table inet patchbay gone puts back every owner's rules, not only its own. */
    @Test
    void publishThatRebuildsTheTablePutsBackTheNetworkRules(Sandbox sandbox) throws Exception {
        String c1 = sandbox.netns("c1");
        try {
            pb.run("firewall", "backend", "nftables").ok();
            pb.run("network", "create", "pub", "--subnet", "10.104.0.0/24", "--bridge", "pbpub0", "--masquerade").ok();
            pb.run("attach", "pub", "--netns", c1, "--publish", "8081:80/tcp").ok();
            sandbox.run("nft", "delete", "table", "inet", "patchbay");
            cli.run("publish", "pub", "--netns", c1, "9091:90/tcp").ok();
            Kernel.Ruleset nft = Kernel.ruleset(null);
            assertTrue(nft.dports().contains(9091), nft.lines().toString());
            assertTrue(nft.dports().contains(8081), "the container's other published port is back: " + nft.lines());
            assertTrue(nft.masqueraded().contains("10.104.0.0/24"), "the network's masquerade is back: " + nft.lines());
            assertTrue(nft.interfaces().contains("pbpub0"), "the network's forward accepts are back: " + nft.lines());
        } finally {
            pb.run("network", "rm", "--force", "pub");
        }
        assertFalse(Kernel.ruleset(null).tables().contains("inet patchbay"));
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
        for (int i = 0; i < 50 && Kernel.links(c1).contains("eth0"); i++) {
            Thread.sleep(100); // the kernel cleans a deleted namespace up a moment later: then c1's end of the veth goes too
        }
        cli.run("network", "create", "here", "--subnet", "10.107.0.0/24", "--bridge", "pbor1").ok(); // same bridge name, here
        try {
            Cli.Run refused = cli.run("network", "rm", "orph1");
            assertEquals(1, refused.code(), refused.err());
            assertTrue(refused.err().contains("--force"), refused.err());
            JsonObject rm = JsonParser.parseString(cli.run("-o", "json", "network", "rm", "--force", "orph1").ok().out()).getAsJsonObject();
            assertEquals("orph1", rm.get("removed").getAsString());
            assertTrue(Kernel.links(null).contains("pbor1"), "nothing of this namespace was touched");
            JsonObject gc = gc(null);
            assertTrue(strings(gc, "removed").stream().anyMatch(m -> m.contains("orph2")), gc.toString());
            Set<String> names = new TreeSet<>();
            JsonParser.parseString(cli.run("-o", "json", "network", "ls").ok().out()).getAsJsonArray()
                    .forEach(n -> names.add(n.getAsJsonObject().get("name").getAsString()));
            assertEquals(Set.of("here"), names);
            assertEquals("[]", cli.run("-o", "json", "ls", "here").ok().out().trim());
        } finally {
            cli.run("network", "rm", "--force", "here");
        }
        cli.assertNoRecords();
    }

    /** Small things users see: an unknown network, a container never attached. */
    @Test
    void unknownNetworkAndNeverAttachedContainer(Sandbox sandbox) throws Exception {
        Cli.Run ls = pb.run("ls", "nosuch");
        assertEquals(1, ls.code(), ls.out() + ls.err());
        assertTrue(ls.err().contains("network \"nosuch\" not found"), ls.err());
        String c1 = sandbox.netns("c1");
        try {
            pb.run("network", "create", "na", "--subnet", "10.108.0.0/24", "--bridge", "pbna0").ok();
            JsonObject detach = JsonParser.parseString(pb.run("-o", "json", "detach", "na", "--netns", c1).ok().out()).getAsJsonObject();
            assertEquals(c1, detach.get("notAttached").getAsString(), detach.toString());
            assertFalse(detach.has("detached"), detach.toString());
        } finally {
            pb.run("network", "rm", "na").ok();
        }
    }

    /** Read-only commands create no lock file and no folder, on a fresh state directory and on a used one. */
    @Test
    void readOnlyCommandsCreateNothing(Sandbox sandbox) throws Exception {
        String[][] readOnly = {{"ls"}, {"network", "ls"}, {"firewall", "show"}, {"plugins", "ls"}, {"network", "inspect", "ro"}, {"ls", "ro"}};
        for (String[] args : readOnly) {
            pb.run(args);
        }
        assertEquals(0, files().length, "a fresh state directory stays empty: " + String.join(", ", files()));
        try {
            pb.run("network", "create", "ro", "--subnet", "10.109.0.0/24", "--bridge", "pbro0").ok();
            Stream.of("locks", "firewall").forEach(d -> Sandbox.exec("rm", "-rf", state.resolve(d).toString()));
            String[] before = files();
            for (String[] args : readOnly) {
                pb.run(args).ok();
            }
            assertEquals(String.join(", ", before), String.join(", ", files()), "no file made by a read-only command");
        } finally {
            pb.run("network", "rm", "ro").ok();
        }
    }

    private String[] files() throws Exception {
        try (Stream<Path> all = Files.walk(state)) {
            return all.filter(p -> !p.equals(state)).map(p -> state.relativize(p).toString()).sorted().toArray(String[]::new);
        }
    }

    /** {@code network inspect NAME -o json} (in {@code ns}, or the test's own namespace when null). */
    private JsonObject inspect(String ns, String name) {
        String[] args = ns == null ? new String[] {"-o", "json", "network", "inspect", name}
                : new String[] {"-n", ns, "-o", "json", "network", "inspect", name};
        return JsonParser.parseString(cli.run(args).ok().out()).getAsJsonObject();
    }

    /** {@code gc -o json}: its report, which must say it did all it had to (exit 0). */
    private JsonObject gc(String ns) {
        String[] args = ns == null ? new String[] {"-o", "json", "gc"} : new String[] {"-n", ns, "-o", "json", "gc"};
        return JsonParser.parseString(cli.run(args).ok().out()).getAsJsonObject();
    }

    /** A field holding a list of strings. */
    static List<String> strings(JsonObject o, String field) {
        List<String> out = new ArrayList<>();
        o.getAsJsonArray(field).forEach(e -> out.add(e.getAsString()));
        return out;
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
