package dev.patchbay.example.routed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A third party's bundle, dropped into the bundles folder of a copy of the distribution: its command
 * appears in {@code patchbay --help}, and its network driver serves {@code network create --driver
 * routed} — without a change to any Patchbay bundle.
 */
@NetnsTest
class ThirdPartyBundleIT {
    static Path dist;
    static Path state;

    @BeforeAll
    static void copyDistributionWithTheExample() throws Exception {
        Path original = Path.of(System.getProperty("patchbay.dist"));
        dist = Files.createTempDirectory("pb-dist");
        try (Stream<Path> walk = Files.walk(original)) {
            for (Path p : walk.toList()) {
                Path target = dist.resolve(original.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        Files.copy(Path.of(System.getProperty("example.bundle")), dist.resolve("bundles/example-routed.jar"));
        state = Files.createTempDirectory("pb-state");
    }

    @AfterAll
    static void delete() throws Exception {
        for (Path root : new Path[] {dist, state}) {
            try (Stream<Path> walk = Files.walk(root)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static Sandbox.Result patchbay(String... args) {
        List<String> argv = new ArrayList<>(List.of("env", "PATCHBAY_DAEMON=off", "PATCHBAY_STATE_DIR=" + state,
                dist.resolve("bin/patchbay").toString()));
        argv.addAll(List.of(args));
        return Sandbox.exec(argv.toArray(String[]::new));
    }

    @Test
    void itsCommandAppears() {
        Sandbox.Result help = patchbay("--help");
        assertEquals(0, help.code(), help.output());
        assertTrue(help.output().contains("hello"), help.output());
        Sandbox.Result hello = patchbay("-o", "json", "hello");
        assertEquals(0, hello.code(), hello.output());
        assertTrue(hello.output().contains("\"hello\": \"world\""), hello.output());
        Sandbox.Result bundles = patchbay("bundles");
        assertTrue(bundles.output().contains("dev.patchbay.example.routed"), bundles.output());
    }

    @Test
    void itsDriverServesANetwork(Sandbox sandbox) {
        String a = sandbox.netns("a");
        String b = sandbox.netns("b");
        try {
            Sandbox.Result created = patchbay("network", "create", "routed", "--driver", "routed", "--subnet", "10.84.0.0/24");
            assertEquals(0, created.code(), created.output());
            assertEquals(0, patchbay("attach", "routed", "--netns", a).code());
            assertEquals(0, patchbay("attach", "routed", "--netns", b).code());
            String route = sandbox.run("ip", "-n", a, "route");
            assertTrue(route.contains("default via 10.84.0.1"), route);
            assertTrue(sandbox.run("ip", "-n", a, "addr").contains("10.84.0.2/32"));
            assertTrue(sandbox.ping(a, "10.84.0.1"), "a -> gateway");
            assertTrue(sandbox.ping(a, "10.84.0.3"), "a -> b, routed through the host");
        } finally {
            patchbay("detach", "routed", "--netns", a);
            patchbay("detach", "routed", "--netns", b);
            assertEquals(0, patchbay("network", "rm", "routed").code());
        }
        assertFalse(sandbox.run("ip", "-o", "link").contains(" rt"), "no host link left");
    }

    @Test
    void anUnknownDriverIsAClearError() {
        Sandbox.Result r = patchbay("network", "create", "x", "--driver", "nosuch", "--subnet", "10.85.0.0/24");
        assertEquals(3, r.code(), r.output());
        assertTrue(r.output().contains("no network driver \"nosuch\" is installed"), r.output());
    }
}
