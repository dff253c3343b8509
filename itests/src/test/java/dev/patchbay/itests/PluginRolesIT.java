package dev.patchbay.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A third party's plugin declares its role and its flags with service properties, and a running daemon's {@code network
 * create} follows it as its bundle comes and goes: its flag is shown in {@code --help} and is its option, a chained-only
 * plugin is refused as a driver (nothing is made), {@code --chain +TYPE} adds it after the default driver's own chain;
 * {@code attach --opt KEY=VALUE} gives it an option for one container, recorded with the attachment; once its jar is gone
 * its flag is an unknown option. The test plugin is {@link FaultyBundle}'s, registered as
 * {@code shaper}, chained-only, with the flag {@code --fault KIND}.
 */
@NetnsTest
class PluginRolesIT {
    private static final String PROPERTIES = "<property name=\"patchbay.plugin.role\" value=\"chained\"/>"
            + "<property name=\"patchbay.plugin.flags\" type=\"String\">fault=KIND</property>"
            + "<property name=\"patchbay.plugin.attach.options\" value=\"fault\"/>";

    @Test
    void aPluginsRoleAndFlagsComeAndGoWithItsBundle(Sandbox sandbox) throws Exception {
        String h = sandbox.netns("h");
        try (Dist dist = Dist.copy()) {
            dist.startDaemon(h);
            assertFalse(help(dist, h).contains("--fault"), "no flag before its plugin");
            Path jar = FaultyBundle.write(dist.home(), dist.bundles().resolve("shaper.jar"), networkImport(dist.home()),
                    "dev.patchbay.test.shaper", "shaper", PROPERTIES);
            assertTrue(Dist.within(10, () -> help(dist, h).contains("--fault=KIND")), "10 s after its jar was dropped in: " + help(dist, h));
            assertTrue(help(dist, h).contains("Same as --opt fault=KIND (shaper)."), help(dist, h));

            Dist.Run refused = dist.cli(h, "-o", "json", "network", "create", "s", "--driver", "shaper", "--subnet", "10.131.0.0/24");
            assertEquals(2, refused.code(), refused.all());
            assertTrue(refused.err().contains("invalid driver \"shaper\""), refused.all());
            assertTrue(networks(dist, h).isEmpty(), "nothing made: " + networks(dist, h));

            JsonObject n = JsonParser.parseString(dist.cli(h, "-o", "json", "network", "create", "s", "--subnet", "10.131.0.0/24",
                    "--chain", "+shaper", "--fault", "none", "--masquerade", "--mtu", "1400").ok().out()).getAsJsonObject();
            assertEquals("bridge", n.get("driver").getAsString());
            assertEquals("[\"firewall\",\"portmap\",\"dns\",\"shaper\"]", n.get("plugins").toString());
            assertEquals("{\"bridge\":\"pb-s\",\"dns\":\"true\",\"fault\":\"none\",\"isolate\":\"true\",\"masquerade\":\"true\",\"mtu\":\"1400\"}", n.get("options").toString());
            JsonObject listed = networks(dist, h).get(0).getAsJsonObject();
            assertEquals("ok", listed.get("health").getAsString(), listed.toString());
            assertEquals(n.get("options"), listed.get("options"));

            // an option for one attachment: the plugin takes fault per attachment (pass: it makes nothing), recorded with it
            String c1 = sandbox.netns("c1");
            Dist.Run mtu = dist.cli(h, "attach", "s", "--netns", c1, "--opt", "mtu=1400");
            assertEquals(2, mtu.code(), mtu.all());
            JsonObject a = JsonParser.parseString(dist.cli(h, "-o", "json", "attach", "s", "--netns", c1, "--opt", "fault=pass").ok().out())
                    .getAsJsonObject();
            assertEquals("{\"fault\":\"pass\"}", a.get("options").toString());
            JsonObject inspected = JsonParser.parseString(dist.cli(h, "-o", "json", "network", "inspect", "s").ok().out()).getAsJsonObject();
            assertEquals("{\"fault\":\"pass\"}", inspected.getAsJsonArray("attachments").get(0).getAsJsonObject().get("options").toString());
            dist.cli(h, "detach", "s", "--netns", c1).ok();
            dist.cli(h, "network", "rm", "s").ok();

            Files.delete(jar);
            assertTrue(Dist.within(10, () -> !help(dist, h).contains("--fault")), "10 s after its jar was removed: " + help(dist, h));
            Dist.Run unknown = dist.cli(h, "network", "create", "t", "--subnet", "10.132.0.0/24", "--fault", "none");
            assertEquals(2, unknown.code(), unknown.all());
            assertTrue(networks(dist, h).isEmpty());
        }
    }

    private static String help(Dist dist, String netns) {
        return dist.cli(netns, "network", "create", "--help").ok().out().replaceAll("\\s+", " ");
    }

    private static JsonArray networks(Dist dist, String netns) {
        JsonElement all = JsonParser.parseString(dist.cli(netns, "-o", "json", "network", "ls").ok().out());
        return all.getAsJsonArray();
    }

    /** The import range of {@code dev.patchbay.core.network} a plugin built against the distribution's core has. */
    private static String networkImport(Path home) throws IOException {
        Path core;
        try (Stream<Path> jars = Files.list(home.resolve("bundles"))) {
            core = jars.filter(p -> p.getFileName().toString().startsWith("core-")).findFirst().orElseThrow();
        }
        try (JarFile jf = new JarFile(core.toFile())) {
            String exports = jf.getManifest().getMainAttributes().getValue("Export-Package");
            Matcher m = Pattern.compile("version=\"(\\d+)\\.(\\d+)").matcher(exports);
            assertTrue(m.find(exports.indexOf("dev.patchbay.core.network;")), exports);
            int major = Integer.parseInt(m.group(1));
            return "version=\"[" + major + "." + m.group(2) + "," + (major + 1) + ")\"";
        }
    }
}
