package dev.patchbay.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A third party's driver gets the health and repair the bridge gets, through its own CHECK and repair: the macvlan
 * example, built outside the tree and dropped into a running daemon's bundles folder. Its container's macvlan deleted,
 * {@code network ls} says the network is not ok and names the link; {@code gc} puts it back, with its address and MAC.
 * The host is a throwaway namespace {@code h} (a veth, up0, as the parent), the container {@code c1}.
 */
@NetnsTest
class ThirdPartyHealthIT {
    @Test
    void theMacvlanExamplesLostLinkShowsInLsAndGcPutsItBack(Sandbox sandbox) throws Exception {
        Path jar = Examples.jar("macvlan");
        String h = Examples.hostWithParent(sandbox);
        String c1 = sandbox.netns("c1");
        try (Dist dist = Dist.copy()) {
            dist.startDaemon(h);
            Files.copy(jar, dist.bundles().resolve(jar.getFileName()));
            assertTrue(Dist.within(10, () -> dist.cli(h, "network", "create", "mv", "--driver", "macvlan", "--opt", "parent=up0",
                    "--subnet", "10.135.0.0/24").code() == 0), "10 s after the jar was dropped in: " + dist.daemonLog());
            dist.cli(h, "attach", "mv", "--netns", c1).ok();
            String before = sandbox.run("ip", "-n", c1, "-d", "link", "show", "eth0");
            assertEquals("ok", health(dist, h).get("health").getAsString());

            sandbox.run("ip", "-n", c1, "link", "del", "eth0");
            JsonObject mv = health(dist, h);
            assertEquals("degraded", mv.get("health").getAsString(), mv.toString());
            assertTrue(mv.toString().contains("macvlan \\\"eth0\\\""), "names what the driver's check found missing: " + mv);

            String gc = dist.cli(h, "gc").ok().out();
            assertTrue(gc.contains("repaired macvlan \"eth0\""), "gc repaired it through the driver: " + gc);
            String after = sandbox.run("ip", "-n", c1, "-d", "link", "show", "eth0");
            assertTrue(after.contains("macvlan mode bridge"), after);
            assertEquals(mac(before), mac(after), "its recorded MAC");
            assertTrue(sandbox.run("ip", "-n", c1, "-4", "addr", "show", "dev", "eth0").contains("10.135.0.2/24"));
            assertTrue(sandbox.run("ip", "-n", c1, "route").contains("default via 10.135.0.1 dev eth0"));
            assertEquals("ok", health(dist, h).get("health").getAsString());

            dist.cli(h, "detach", "mv", "--netns", c1).ok();
            dist.cli(h, "network", "rm", "mv").ok();
        }
    }

    private static JsonObject health(Dist dist, String h) {
        JsonElement all = JsonParser.parseString(dist.cli(h, "-o", "json", "network", "ls").ok().out());
        for (JsonElement e : all.isJsonArray() ? all.getAsJsonArray() : all.getAsJsonObject().getAsJsonArray("networks")) {
            if (e.getAsJsonObject().get("name").getAsString().equals("mv")) {
                return e.getAsJsonObject();
            }
        }
        throw new AssertionError("no network mv in " + all);
    }

    private static String mac(String link) {
        return link.replaceAll("(?s).*link/ether ([0-9a-f:]+).*", "$1");
    }
}
