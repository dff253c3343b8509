package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HangupTest {
    @AfterEach
    void restore() {
        Settings.replace(Settings.parse(Path.of("/dev/null"), "", Map.of()));
        DaemonLog.threshold("info");
    }

    @Test
    void aReloadAppliesLiveSettingsNamesTheOthersAndRefusesABadFile(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("patchbay.conf");
        Map<String, String> env = Map.of("PATCHBAY_CONFIG", conf.toString());
        Files.writeString(conf, "repair-seconds = 2\n");
        Settings.init(env);
        Files.writeString(conf, "repair-seconds = 5\nlog-level = warning\nstate-dir = /srv/pb\n");
        List<String> said = Hangup.reload(env);
        assertEquals(List.of("patchbay: daemon: configuration: SIGHUP: read " + conf + ": repair-seconds 2 -> 5, log-level info -> warning",
                "patchbay: daemon: configuration: state-dir takes effect after a restart"), said);
        assertEquals("5", System.getProperty("patchbay.repair.seconds"), "what bundles read through BundleContext.getProperty");
        assertEquals("/var/lib/patchbay", Settings.current().get(Setting.STATE_DIR));
        assertTrue(!DaemonLog.shown("info") && DaemonLog.shown("warning") && DaemonLog.shown("notice"));

        Files.writeString(conf, "repair-seconds = 9\nlog-level = verbose\n");
        said = Hangup.reload(env);
        assertEquals(List.of("patchbay: daemon: configuration error: SIGHUP: refused " + conf
                + " line 2: log-level = \"verbose\": must be info, warning or error; keeping the configuration it had"), said);
        assertEquals("error", DaemonLog.level(said.get(0)));
        assertEquals("5", System.getProperty("patchbay.repair.seconds"), "nothing of a refused file applies");
        assertEquals("warning", Settings.current().get(Setting.LOG_LEVEL));
    }
}
