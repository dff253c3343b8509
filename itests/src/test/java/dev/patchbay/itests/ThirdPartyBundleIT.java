package dev.patchbay.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A third party's bundle, built outside the tree ({@code examples/routed}) and dropped into the bundles
 * folder of a copy of the distribution, read by each CLI start (no daemon): its command appears in
 * {@code patchbay --help}, its network driver serves {@code network create --driver routed}, and
 * {@code plugins ls} shows both, without a change to any Patchbay bundle.
 */
@NetnsTest
class ThirdPartyBundleIT {
    static Dist dist;

    @BeforeAll
    static void copyDistributionWithTheExample() throws Exception {
        dist = Dist.copy().withoutDaemon();
        Files.copy(Examples.jar("routed"), dist.bundles().resolve("example-routed.jar"));
    }

    @AfterAll
    static void delete() {
        dist.close();
    }

    static Dist.Run patchbay(String... args) {
        return dist.cli(null, args);
    }

    @Test
    void itsCommandAppears() {
        Dist.Run help = patchbay("--help").ok();
        assertTrue(help.out().contains("hello"), help.out());
        Dist.Run hello = patchbay("-o", "json", "hello").ok();
        assertTrue(hello.out().contains("\"hello\": \"world\""), hello.out());
        JsonObject routed = dist.plugins(null).get("dev.patchbay.example.routed");
        assertEquals("ACTIVE", routed.get("state").getAsString(), routed.toString());
        assertEquals("[{\"kind\":\"network-plugin\",\"name\":\"routed\"},{\"kind\":\"command\",\"name\":\"hello\"}]",
                routed.get("provides").toString());
        assertEquals("[]", routed.get("problems").toString());
    }

    @Test
    void itsDriverServesANetwork(Sandbox sandbox) {
        String a = sandbox.netns("a");
        String b = sandbox.netns("b");
        try {
            patchbay("network", "create", "routed", "--driver", "routed", "--subnet", "10.84.0.0/24").ok();
            patchbay("attach", "routed", "--netns", a).ok();
            patchbay("attach", "routed", "--netns", b).ok();
            String route = sandbox.run("ip", "-n", a, "route");
            assertTrue(route.contains("default via 10.84.0.1"), route);
            assertTrue(sandbox.run("ip", "-n", a, "addr").contains("10.84.0.2/32"));
            assertTrue(sandbox.ping(a, "10.84.0.1"), "a -> gateway");
            assertTrue(sandbox.ping(a, "10.84.0.3"), "a -> b, routed through the host");
        } finally {
            patchbay("detach", "routed", "--netns", a);
            patchbay("detach", "routed", "--netns", b);
            patchbay("network", "rm", "routed").ok();
        }
        assertFalse(sandbox.run("ip", "-o", "link").contains(" rt"), "no host link left");
    }

    @Test
    void anUnknownDriverIsAClearError() {
        Dist.Run r = patchbay("network", "create", "x", "--driver", "nosuch", "--subnet", "10.85.0.0/24");
        assertEquals(3, r.code(), r.all());
        assertTrue(r.err().contains("no network driver \"nosuch\" is installed"), r.all());
    }
}
