package dev.patchbay.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * The plugin author's path with a running daemon: the macvlan driver, built outside the tree, is copied
 * into the daemon's bundles folder and works without a restart, {@code plugins ls} shows it, and taking
 * the jar out makes it go while the daemon stays up. Broken plugins show why in {@code plugins ls} and
 * leave the rest working. Everything runs in throwaway namespaces: {@code h} plays the host (the daemon's
 * namespace, with a veth as the macvlan parent), {@code c1}/{@code c2} the containers.
 */
@NetnsTest
class HotDeployIT {
    static final String MACVLAN = "dev.patchbay.example.macvlan";

    @Test
    void aDriverDroppedIntoARunningDaemonWorksAndGoesWhenItsJarGoes(Sandbox sandbox) throws Exception {
        Path jar = Examples.jar("macvlan");
        String h = Examples.hostWithParent(sandbox);
        String c1 = sandbox.netns("c1");
        String c2 = sandbox.netns("c2");
        try (Dist dist = Dist.copy()) {
            dist.startDaemon(h);
            assertFalse(dist.plugins(h).containsKey(MACVLAN), "not there before its jar");
            Dist.Run before = dist.cli(h, "network", "create", "mv", "--driver", "macvlan", "--opt", "parent=up0", "--subnet", "10.128.0.0/24");
            assertNotEquals(0, before.code());
            assertTrue(before.err().contains("no network driver \"macvlan\" is installed"), before.all());

            Path dropped = dist.bundles().resolve(jar.getFileName());
            Files.copy(jar, dropped);
            assertTrue(Dist.within(10, () -> dist.cli(h, "network", "create", "mv", "--driver", "macvlan", "--opt", "parent=up0",
                    "--subnet", "10.128.0.0/24").code() == 0), "10 s after the jar was dropped in: " + dist.daemonLog());
            dist.cli(h, "attach", "mv", "--netns", c1).ok();
            dist.cli(h, "attach", "mv", "--netns", c2).ok();
            String link = sandbox.run("ip", "-n", c1, "-d", "link", "show", "eth0");
            assertTrue(link.contains("macvlan mode bridge"), link);
            String a2 = address(sandbox, c2);
            assertTrue(a2.startsWith("10.128.0."), a2);
            assertTrue(sandbox.ping(c1, a2), "c1 -> c2 over the macvlans of up0");
            assertTrue(sandbox.run("ip", "-n", c1, "route").contains("default via 10.128.0.1 dev eth0"));

            JsonObject mv = dist.plugins(h).get(MACVLAN);
            assertEquals("ACTIVE", mv.get("state").getAsString(), mv.toString());
            assertEquals(Map.of("symbolicName", 0, "version", 0, "state", 0, "provides", 0, "problems", 0).keySet(), mv.keySet());
            assertEquals("[{\"kind\":\"network-plugin\",\"name\":\"macvlan\"},{\"kind\":\"command\",\"name\":\"macvlan\"}]",
                    mv.get("provides").toString());
            assertEquals("[]", mv.get("problems").toString());
            JsonArray parents = JsonParser.parseString(dist.cli(h, "-o", "json", "macvlan", "ls").ok().out()).getAsJsonArray();
            assertTrue(parents.toString().contains("\"name\":\"up0\""), parents.toString());

            // replaced: updated in place (same bundle, restarted), the driver still serves
            Files.setLastModifiedTime(dropped, FileTime.fromMillis(System.currentTimeMillis() + 5000));
            assertTrue(Dist.within(10, () -> dist.daemonLog().contains("updated bundle " + MACVLAN)), dist.daemonLog());
            assertTrue(Dist.within(10, () -> dist.cli(h, "network", "inspect", "mv").code() == 0));

            // removed: the driver goes; the network refuses new attaches naming it, its attachment stays listed
            dist.cli(h, "detach", "mv", "--netns", c2).ok();
            Files.delete(dropped);
            assertTrue(Dist.within(10, () -> !dist.plugins(h).containsKey(MACVLAN)), "10 s after the jar was removed: " + dist.daemonLog());
            Dist.Run refused = dist.cli(h, "attach", "mv", "--netns", c2);
            assertNotEquals(0, refused.code());
            assertTrue(refused.err().contains("macvlan"), "names the missing driver: " + refused.all());
            assertTrue(dist.cli(h, "ls", "mv").ok().out().contains(c1), "the existing attachment is still listed");
            Dist.Run created = dist.cli(h, "network", "create", "mv2", "--driver", "macvlan", "--opt", "parent=up0", "--subnet", "10.128.1.0/24");
            assertTrue(created.err().contains("no network driver \"macvlan\" is installed"), created.all());

            // back: everything works again
            Files.copy(jar, dropped);
            assertTrue(Dist.within(10, () -> dist.cli(h, "attach", "mv", "--netns", c2).code() == 0), dist.daemonLog());
            assertTrue(sandbox.ping(c1, address(sandbox, c2)));
            dist.cli(h, "detach", "mv", "--netns", c1).ok();
            dist.cli(h, "detach", "mv", "--netns", c2).ok();
            dist.cli(h, "network", "rm", "mv").ok();
            assertFalse(sandbox.run("ip", "-n", c1, "link").contains("eth0"), "the container's macvlan is gone");
            assertTrue(dist.daemonAlive(), "the daemon stayed up through hot deploy and removal: " + dist.daemonLog());
        }
    }

    @Test
    void brokenPluginsSayWhyAndTheRestKeepsWorking(Sandbox sandbox) throws Exception {
        Path jar = Examples.jar("macvlan");
        Matcher range = BrokenBundles.NETWORK_IMPORT.matcher(BrokenBundles.imports(jar));
        assertTrue(range.find() && Integer.parseInt(range.group(3)) == Integer.parseInt(range.group(1)) + 1,
                "bnd gives an implementation of the consumer-type SPI the consumer range [M.m,M+1): " + BrokenBundles.imports(jar));
        int major = Integer.parseInt(range.group(1));
        String h = Examples.hostWithParent(sandbox);
        String c1 = sandbox.netns("c1");
        try (Dist dist = Dist.copy()) {
            Files.copy(jar, dist.bundles().resolve(jar.getFileName()));
            dist.startDaemon(h);
            BrokenBundles.builtForNextNetworkApi(jar, dist.bundles().resolve("macvlan-for-next-api.jar"));
            BrokenBundles.needsAMissingService(dist.bundles().resolve("needy.jar"));
            Files.writeString(dist.bundles().resolve("notes.jar"), "not a jar at all");
            assertTrue(Dist.within(10, () -> {
                Map<String, JsonObject> now = dist.plugins(h);
                return now.containsKey("dev.patchbay.test.needy") && now.containsKey("dev.patchbay.test.macvlan.nextapi")
                        && !"NOT_INSTALLED".equals(now.get("dev.patchbay.test.macvlan.nextapi").get("state").getAsString());
            }), dist.daemonLog());
            Map<String, JsonObject> plugins = dist.plugins(h);

            JsonObject nextApi = plugins.get("dev.patchbay.test.macvlan.nextapi");
            assertEquals("INSTALLED", nextApi.get("state").getAsString(), nextApi.toString());
            String why = nextApi.getAsJsonArray("problems").get(0).getAsString();
            assertTrue(why.startsWith("needs package dev.patchbay.core.network version [" + (major + 1) + ".0.0," + (major + 2) + ".0.0), "
                    + "but the framework has " + major + "."), why);
            assertTrue(why.contains("(from dev.patchbay.core "), why);

            JsonObject needy = plugins.get("dev.patchbay.test.needy");
            assertEquals("ACTIVE", needy.get("state").getAsString());
            assertEquals("[]", needy.get("provides").toString());
            assertEquals("[\"network-plugin \\\"needy\\\" (component dev.patchbay.test.needy.NeedyDriver) needs a service "
                    + "dev.patchbay.test.needy.Vault (reference \\\"vault\\\"), which no bundle provides\"]", needy.get("problems").toString());

            JsonObject notes = plugins.entrySet().stream().filter(e -> e.getKey().startsWith("bundles/notes.jar cannot be read as a jar"))
                    .map(Map.Entry::getValue).findFirst().orElseThrow(() -> new AssertionError("notes.jar is not listed: " + plugins.keySet()));
            assertEquals("NOT_INSTALLED", notes.get("state").getAsString());
            assertTrue(notes.get("symbolicName").isJsonNull());

            assertEquals("ACTIVE", plugins.get(MACVLAN).get("state").getAsString());
            assertEquals("[]", plugins.get(MACVLAN).get("problems").toString(), "the working plugin is untouched");

            Dist.Run text = dist.cli(h, "plugins", "ls").ok();
            assertTrue(text.out().startsWith("BUNDLE"), text.out());
            assertTrue(text.out().contains("which no bundle provides"), text.out());

            // the rest is undisturbed: the working macvlan driver serves a network
            dist.cli(h, "network", "create", "mv", "--driver", "macvlan", "--opt", "parent=up0", "--subnet", "10.129.0.0/24").ok();
            dist.cli(h, "attach", "mv", "--netns", c1).ok();
            assertTrue(sandbox.run("ip", "-n", c1, "-d", "link", "show", "eth0").contains("macvlan"));
            dist.cli(h, "detach", "mv", "--netns", c1).ok();
            dist.cli(h, "network", "rm", "mv").ok();
            Dist.Run needyNet = dist.cli(h, "network", "create", "n", "--driver", "needy", "--subnet", "10.129.1.0/24");
            assertTrue(needyNet.err().contains("no network driver \"needy\" is installed"), needyNet.all());
            assertTrue(dist.daemonAlive());
        }
    }


    private static String address(Sandbox sandbox, String netns) {
        String out = sandbox.run("ip", "-n", netns, "-4", "-o", "addr", "show", "dev", "eth0");
        return out.replaceAll("(?s).*inet ([0-9.]+)/.*", "$1").trim();
    }
}
