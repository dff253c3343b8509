package dev.patchbay.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * A third-party plugin that throws or hangs ({@link FaultyBundle}) cannot hurt the host: its exception is named with the
 * plugin and the step (exit 1, not an internal error), a hung set-up fails at its deadline with what was done undone,
 * and the set-up that ends after the deadline is undone too; the daemon keeps serving.
 */
@NetnsTest
class PluginFaultsIT {
    private static final String WHO = "plugin \"faulty\" (" + FaultyBundle.NAME + " " + FaultyBundle.VERSION + ")";

    private static Path faulty(Dist dist) throws Exception {
        Matcher m = BrokenBundles.NETWORK_IMPORT.matcher(BrokenBundles.imports(Examples.jar("macvlan")));
        assertTrue(m.find());
        return FaultyBundle.write(dist.home(), dist.bundles().resolve("faulty.jar"),
                "version=\"[" + m.group(1) + "." + m.group(2) + "," + m.group(3) + ")\"");
    }

    @Test
    void anExceptionOfAPluginNamesItsBundleAndTheStep(Sandbox sandbox) throws Exception {
        String h = sandbox.netns("h");
        String c1 = sandbox.netns("c1");
        try (Dist dist = Dist.copy().withoutDaemon()) {
            faulty(dist);
            dist.cli(h, "network", "create", "f", "--driver", "faulty", "--opt", "fault=throw", "--subnet", "10.133.0.0/24").ok();
            Dist.Run r = dist.cli(h, "attach", "f", "--netns", c1);
            assertEquals(1, r.code(), r.all());
            assertTrue(r.err().contains("patchbay: " + WHO + " failed to set up \"" + c1 + "\" on network \"f\": "
                    + "java.lang.IllegalStateException: the faulty driver fails on purpose"), r.all());
            assertFalse(r.err().contains("internal error"), r.err());
            assertEquals("[]", dist.cli(h, "-o", "json", "ls", "f").ok().out().strip(), "nothing recorded");
            dist.cli(h, "network", "rm", "f").ok();
        }
    }

    @Test
    void aHungSetUpFailsAtItsDeadlineAndItsLateEndIsUndone(Sandbox sandbox) throws Exception {
        String h = sandbox.netns("h");
        String c1 = sandbox.netns("c1");
        try (Dist dist = Dist.copy().with("PATCHBAY_PLUGIN_TIMEOUT", "2")) {
            faulty(dist);
            dist.startDaemon(h);
            dist.cli(h, "network", "create", "f", "--driver", "faulty", "--opt", "fault=hang", "--opt", "hang=6", "--subnet", "10.134.0.0/24").ok();
            long t0 = System.nanoTime();
            Dist.Run r = dist.cli(h, "attach", "f", "--netns", c1);
            long took = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            assertEquals(1, r.code(), r.all());
            assertTrue(r.err().contains(WHO + ": set up \"" + c1 + "\" on network \"f\" did not finish within 2 s (PATCHBAY_PLUGIN_TIMEOUT"),
                    r.all());
            assertTrue(took < 6, "the CLI got its answer at the deadline, not when the plugin ended: " + took + " s");
            assertEquals("[]", dist.cli(h, "-o", "json", "ls", "f").ok().out().strip(), "nothing recorded");

            // the set-up ends 6 s after it began, makes its link as if nothing happened: that is undone, and said
            assertTrue(Dist.within(20, () -> dist.daemonLog().contains(WHO + ": set up \"" + c1 + "\" on network \"f\" ended after its "
                    + "deadline and returned: undoing what it did")), dist.daemonLog());
            assertTrue(Dist.within(10, () -> !sandbox.run("ip", "-n", h, "-o", "link").contains(" fy")), sandbox.run("ip", "-n", h, "-o", "link"));
            assertTrue(dist.daemonAlive());

            // the daemon still serves, and the same driver without a fault works
            dist.cli(h, "network", "create", "g", "--driver", "faulty", "--subnet", "10.135.0.0/24").ok();
            dist.cli(h, "attach", "g", "--netns", c1).ok();
            assertTrue(sandbox.run("ip", "-n", h, "-o", "link").contains(" fy"));
            dist.cli(h, "detach", "g", "--netns", c1).ok();
            dist.cli(h, "network", "rm", "g").ok();
            dist.cli(h, "network", "rm", "f").ok();
        }
    }
}
