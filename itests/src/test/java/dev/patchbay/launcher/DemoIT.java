package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's demo (examples/demo.sh through the real CLI): the tutorials' scenario passes every traffic check and
 * leaves nothing behind.
 */
@NetnsTest
class DemoIT {
    @Test
    void everyCheckPasses(Sandbox sandbox) throws Exception {
        Path out = Files.createTempFile("pb-demo", ".txt");
        ProcessBuilder pb = new ProcessBuilder("bash", Path.of("../examples/demo.sh").toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("PATCHBAY", Cli.DIST.resolve("bin/patchbay").toAbsolutePath().toString());
        Process p = pb.start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        String story = Files.readString(out);
        assertEquals(0, p.exitValue(), story);
        assertTrue(story.contains("demo: every check passed"), story);
        assertTrue(story.contains("ok     outside -> published port"), story);
        assertTrue(story.contains("removed every namespace, link, rule and record the demo made"), story);
        assertEquals("", sandbox.run("ip", "netns", "list").trim());
    }
}
