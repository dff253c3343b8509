package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The daemon's own life: what it leaves when stopped by a signal. */
@NetnsTest
class DaemonIT {

    @Test
    void stoppedBySignalLeavesNoFrameworkCache(Sandbox sandbox) throws Exception {
        Path tmp = Files.createTempDirectory("pb-daemon-tmp");
        Path run = Files.createTempDirectory("pb-run");
        Cli cli = new Cli(Files.createTempDirectory("pb-state"), run);
        Process daemon = cli.startDaemon(Map.of("PATCHBAY_JAVA_OPTS", "-Djava.io.tmpdir=" + tmp));
        try {
            assertEquals(1, felixCaches(tmp).size(), "the running daemon has its cache in its TMPDIR: " + felixCaches(tmp));
            cli.run("network", "ls").ok(); // served by the daemon
        } finally {
            daemon.destroy(); // SIGTERM
        }
        assertTrue(daemon.waitFor(60, TimeUnit.SECONDS), "the daemon exits on SIGTERM");
        assertEquals(List.of(), felixCaches(tmp), "no Felix cache left behind");
        try (Stream<Path> files = Files.list(run)) {
            assertFalse(files.anyMatch(f -> f.toString().endsWith(".sock")), "no socket left behind");
        }
        Files.delete(tmp);
    }

    private static List<Path> felixCaches(Path tmp) throws Exception {
        try (Stream<Path> files = Files.list(tmp)) {
            return files.filter(f -> f.getFileName().toString().startsWith("patchbay-felix-")).toList();
        }
    }
}
