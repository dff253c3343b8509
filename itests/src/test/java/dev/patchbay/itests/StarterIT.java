package dev.patchbay.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The plugin author's start: the distribution carries the API as a Maven repository folder ({@code maven/}),
 * {@code examples/starter} (one pom, no parent) builds against it alone (see {@link Examples}), and the
 * plugin it builds, the README's {@code RpFilter}, works chained after the bridge as the README says.
 */
@NetnsTest
class StarterIT {
    static Dist dist;

    @BeforeAll
    static void copyDistributionWithTheStarter() throws Exception {
        dist = Dist.copy().withoutDaemon();
        Files.copy(Examples.jar("starter"), dist.bundles().resolve("starter.jar"));
    }

    @AfterAll
    static void delete() {
        dist.close();
    }

    static Dist.Run patchbay(String... args) {
        return dist.cli(null, args);
    }

    @Test
    void theDistributionHoldsTheApiAsAMavenRepository() throws Exception {
        Path core = dist.home().resolve("maven/dev/patchbay/core");
        List<Path> versions;
        try (Stream<Path> list = Files.list(core)) {
            versions = list.filter(Files::isDirectory).toList();
        }
        assertEquals(1, versions.size(), versions.toString());
        String v = versions.get(0).getFileName().toString();
        for (String f : List.of(".jar", ".pom", "-sources.jar", "-javadoc.jar")) {
            assertTrue(Files.size(versions.get(0).resolve("core-" + v + f)) > 0, "core-" + v + f);
        }
        assertTrue(Files.isRegularFile(dist.home().resolve("maven/dev/patchbay/patchbay/" + v + "/patchbay-" + v + ".pom")),
                "the parent pom core's pom names");
    }

    @Test
    void theStarterPluginIsChainedAfterTheBridge(Sandbox sandbox) {
        JsonObject starter = dist.plugins(null).get("dev.patchbay.examples.starter");
        assertEquals("ACTIVE", starter.get("state").getAsString(), starter.toString());
        assertEquals("[{\"kind\":\"network-plugin\",\"name\":\"rpfilter\"}]", starter.get("provides").toString());
        String a = sandbox.netns("a");
        try {
            JsonObject n = com.google.gson.JsonParser.parseString(patchbay("-o", "json", "network", "create", "rpf", "--driver", "bridge",
                    "--subnet", "10.86.0.0/24", "--chain", "+rpfilter", "--rpfilter", "2").ok().out()).getAsJsonObject(); // as the README
            assertEquals("[\"firewall\",\"portmap\",\"dns\",\"rpfilter\"]", n.get("plugins").toString());
            assertEquals("2", n.getAsJsonObject("options").get("rpfilter").getAsString());
            patchbay("attach", "rpf", "--netns", a).ok();
            assertEquals("2", sandbox.run("ip", "netns", "exec", a, "sysctl", "-n", "net.ipv4.conf.eth0.rp_filter").trim());
        } finally {
            patchbay("detach", "rpf", "--netns", a);
            patchbay("network", "rm", "rpf").ok();
        }
    }

    @Test
    void aBadValueNamesTheOption() {
        Dist.Run r = patchbay("network", "create", "bad", "--driver", "bridge", "--subnet", "10.87.0.0/24",
                "--chain", "rpfilter", "--opt", "rpfilter=7");
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().contains("invalid rpfilter \"7\""), r.all());
    }
}
