package dev.patchbay.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A third party's bundle serves a CNI type: the macvlan example, built outside the tree and dropped into a running
 * daemon's bundles folder, serves the CNI type {@code macvlan} with the reference macvlan plugin's keys ({@code master},
 * {@code mode}, {@code mtu}, a host-local {@code ipam}) through the distribution's {@code cni/} executable linked as
 * {@code cni/macvlan}: ADD gives the container a macvlan eth0 with an address of the range, CHECK is the driver's own
 * check, DEL removes the link. The host is a throwaway namespace {@code h} (a veth, up0, as the parent).
 */
@NetnsTest
class ThirdPartyCniIT {
    @Test
    void theMacvlanExampleServesTheCniTypeMacvlanThroughTheShim(Sandbox sandbox) throws Exception {
        Path jar = Examples.jar("macvlan");
        String h = Examples.hostWithParent(sandbox);
        String c1 = sandbox.netns("c1");
        String c2 = sandbox.netns("c2");
        Path ipam = Files.createTempDirectory("pb-ipam");
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"mvcni\",\"type\":\"macvlan\",\"master\":\"up0\",\"mode\":\"bridge\",\"mtu\":1400,"
                + "\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.134.0.0/24\",\"dataDir\":\"" + ipam + "\"}}";
        try (Dist dist = Dist.copy()) {
            dist.startDaemon(h);
            Files.createSymbolicLink(dist.home().resolve("cni/macvlan"), Path.of("patchbay"));
            Dist.Run before = dist.cni(h, "macvlan", call("ADD", "k1", c1), conf);
            assertEquals(2, JsonParser.parseString(before.out()).getAsJsonObject().get("code").getAsInt(),
                    "no bundle serves macvlan yet, and nothing on CNI_PATH: " + before.all());

            Files.copy(jar, dist.bundles().resolve(jar.getFileName()));
            Dist.Run[] add = new Dist.Run[1];
            assertTrue(Dist.within(15, () -> (add[0] = dist.cni(h, "macvlan", call("ADD", "k1", c1), conf)).code() == 0),
                    "15 s after the jar was dropped in: " + add[0].all() + dist.daemonLog());
            JsonObject result = JsonParser.parseString(add[0].out()).getAsJsonObject();
            assertEquals("eth0", result.getAsJsonArray("interfaces").get(0).getAsJsonObject().get("name").getAsString(), add[0].out());
            assertEquals("10.134.0.2/24", result.getAsJsonArray("ips").get(0).getAsJsonObject().get("address").getAsString(), add[0].out());
            String link = sandbox.run("ip", "-n", c1, "-d", "link", "show", "eth0");
            assertTrue(link.contains("macvlan mode bridge") && link.contains("mtu 1400"), link);
            assertTrue(sandbox.run("ip", "-n", c1, "-4", "addr", "show", "dev", "eth0").contains("10.134.0.2/24"));

            JsonObject withPrev = JsonParser.parseString(conf).getAsJsonObject();
            withPrev.add("prevResult", result);
            Dist.Run check = dist.cni(h, "macvlan", call("CHECK", "k1", c1), withPrev.toString());
            assertEquals(0, check.code(), check.all());

            JsonObject r2 = JsonParser.parseString(dist.cni(h, "macvlan", call("ADD", "k2", c2), conf).out()).getAsJsonObject();
            sandbox.run("ip", "-n", c2, "link", "del", "eth0");
            withPrev.add("prevResult", r2);
            Dist.Run broken = dist.cni(h, "macvlan", call("CHECK", "k2", c2), withPrev.toString());
            JsonObject error = JsonParser.parseString(broken.out()).getAsJsonObject();
            assertEquals(101, error.get("code").getAsInt(), broken.all());
            assertTrue(error.get("msg").getAsString().contains("macvlan \"eth0\""), "the driver's own check names its link: " + broken.out());

            Dist.Run del = dist.cni(h, "macvlan", call("DEL", "k1", c1), conf);
            assertEquals(0, del.code(), del.all());
            assertFalse(sandbox.execIn(c1, "ip", "link", "show", "eth0").code() == 0, "DEL removed eth0");
            assertEquals(0, dist.cni(h, "macvlan", call("DEL", "k2", c2), conf).code());
            assertEquals(0, dist.cni(h, "macvlan", call("DEL", "k2", c2), conf).code(), "a second DEL finds nothing and succeeds");
            dist.cli(h, "network", "rm", "mvcni").ok();
        }
    }

    private static Map<String, String> call(String verb, String id, String netns) {
        return Map.of("CNI_COMMAND", verb, "CNI_CONTAINERID", id, "CNI_NETNS", "/run/netns/" + netns, "CNI_IFNAME", "eth0",
                "CNI_PATH", "/nonexistent");
    }
}
