package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DaemonTakeoverTest {
    private static boolean of(String... words) {
        return DaemonTakeover.autostarted(String.join("\0", words).concat("\0").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void onlyTheLaunchersDaemonWithIdleIsOneACommandStarted() {
        assertTrue(of("/usr/bin/java", "-Xss512k", "-jar", "/opt/pb/lib/launcher.jar", "daemon", "--idle", "300"));
        assertTrue(of("java", "-jar", "/opt/pb/lib/launcher.jar", "daemon", "-v", "--idle=60"));
        assertFalse(of("java", "-jar", "/opt/pb/lib/launcher.jar", "daemon"), "started by hand");
        assertFalse(of("java", "-jar", "/opt/pb/lib/launcher.jar", "network", "ls", "--idle"), "not a daemon");
        assertFalse(of("java", "-jar", "/opt/other.jar", "daemon", "--idle", "300"), "not the launcher");
        assertFalse(of("sleep", "daemon", "--idle"));
    }
}
