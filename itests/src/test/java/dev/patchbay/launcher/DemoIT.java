package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The README's demo: the tutorials' scenario passes every traffic check and leaves nothing behind. */
@NetnsTest
class DemoIT {
    @Test
    void everyCheckPasses(Sandbox sandbox) throws Exception {
        Cli cli = new Cli(Files.createTempDirectory("pb-state"), Files.createTempDirectory("pb-run"));
        Cli.Run r = cli.run("demo");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("demo: every check passed"), r.out());
        assertTrue(r.out().contains("removed every namespace, link, rule and record the demo made"), r.out());
        assertEquals("", sandbox.run("ip", "netns", "list").trim());
    }
}
