package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    private static final Path FILE = Path.of("/etc/patchbay/patchbay.conf");

    private static Settings parse(String text, Map<String, String> env) {
        return Settings.parse(FILE, text, env);
    }

    private static String refusal(String text, Map<String, String> env) {
        return assertThrows(Settings.SettingsException.class, () -> parse(text, env)).getMessage();
    }

    @Test
    void defaultsWithNoFileAndNoEnvironment() {
        Settings s = parse("", Map.of());
        assertEquals("/var/lib/patchbay", s.get(Setting.STATE_DIR));
        assertEquals("/run/patchbay", s.get(Setting.RUN_DIR));
        assertEquals(2, s.number(Setting.REPAIR_SECONDS));
        assertEquals(30, s.number(Setting.PLUGIN_TIMEOUT));
        assertEquals(300, s.number(Setting.DAEMON_IDLE));
        assertEquals("info", s.get(Setting.LOG_LEVEL));
        assertEquals("off", s.get(Setting.METRICS));
        assertTrue(s.on(Setting.HOT_DEPLOY));
        assertNull(s.given(Setting.STATE_DIR));
        assertEquals(Settings.Source.DEFAULT, s.source(Setting.FIREWALL));
    }

    @Test
    void fileValuesCommentsBlanksAndSpaces() {
        Settings s = parse("# a comment\n\n  state-dir =  /srv/pb  \nrepair-seconds=7\nmetrics = unix:/run/patchbay/metrics.sock\n"
                + "cni-log =\nlog-level = warning\n", Map.of());
        assertEquals("/srv/pb", s.get(Setting.STATE_DIR));
        assertEquals("/srv/pb", s.given(Setting.STATE_DIR));
        assertEquals(7, s.number(Setting.REPAIR_SECONDS));
        assertEquals("unix:/run/patchbay/metrics.sock", s.get(Setting.METRICS));
        assertEquals("", s.get(Setting.CNI_LOG));
        assertEquals("warning", s.get(Setting.LOG_LEVEL));
        assertEquals(Settings.Source.FILE, s.source(Setting.REPAIR_SECONDS));
    }

    @Test
    void theEnvironmentWinsOverTheFile() {
        Settings s = parse("repair-seconds = 7\nstate-dir = /srv/pb\n", Map.of("PATCHBAY_REPAIR_SECONDS", "9", "PATCHBAY_STATE_DIR", ""));
        assertEquals(9, s.number(Setting.REPAIR_SECONDS));
        assertEquals(Settings.Source.ENVIRONMENT, s.source(Setting.REPAIR_SECONDS));
        assertEquals("/srv/pb", s.get(Setting.STATE_DIR), "an empty variable is not set");
        assertEquals("/srv/pb", parse("state-dir = /srv/pb\n", Map.of("PATCHBAY_STATE_DIR", "/x")).fileOrDefault(Setting.STATE_DIR),
                "what a CNI call uses is the file's, never the daemon's environment");
    }

    @Test
    void aBadValueNamesTheFileTheLineTheKeyAndTheValue() {
        assertEquals("/etc/patchbay/patchbay.conf line 3: repair-seconds = \"soon\": must be a whole number of seconds from 1 to 99999",
                refusal("# x\nstate-dir = /srv\nrepair-seconds = soon\n", Map.of()));
        assertEquals("/etc/patchbay/patchbay.conf line 1: state-dir = \"var/lib\": must be an absolute path",
                refusal("state-dir = var/lib", Map.of()));
        assertTrue(refusal("metrics = 10.0.0.1:9100", Map.of()).startsWith("/etc/patchbay/patchbay.conf line 1: metrics = \"10.0.0.1:9100\": must be off"));
        assertTrue(refusal("plugin-timeout = 0", Map.of()).contains("line 1: plugin-timeout = \"0\""));
    }

    @Test
    void anUnknownKeyIsAnErrorWithASuggestion() {
        assertEquals("/etc/patchbay/patchbay.conf line 2: unknown key \"repair-secnds\" (value \"3\"); did you mean repair-seconds?",
                refusal("log-level = info\nrepair-secnds = 3\n", Map.of()));
        assertEquals("/etc/patchbay/patchbay.conf line 1: unknown key \"PATCHBAY_STATE_DIR\" (value \"/x\"); did you mean state-dir?",
                refusal("PATCHBAY_STATE_DIR = /x", Map.of()));
        assertEquals("/etc/patchbay/patchbay.conf line 1: unknown key \"colour\" (value \"blue\")", refusal("colour = blue", Map.of()));
    }

    @Test
    void aLineWithoutEqualsAndAKeyGivenTwiceAreRefused() {
        assertEquals("/etc/patchbay/patchbay.conf line 1: \"state-dir /srv\" is not key = value", refusal("state-dir /srv", Map.of()));
        assertEquals("/etc/patchbay/patchbay.conf line 3: log-level = \"error\": log-level is already set on line 1",
                refusal("log-level = info\n\nlog-level = error\n", Map.of()));
    }

    @Test
    void aBadEnvironmentVariableIsNamed() {
        assertEquals("PATCHBAY_DAEMON_IDLE=\"5m\" (the environment's daemon-idle): must be a whole number of seconds from 0 to 999999",
                refusal("", Map.of("PATCHBAY_DAEMON_IDLE", "5m")));
    }

    @Test
    void aMissingDefaultFileIsEmptyAMissingNamedOneIsAnError(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("patchbay.conf");
        String why = assertThrows(Settings.SettingsException.class, () -> Settings.load(Map.of("PATCHBAY_CONFIG", missing.toString()))).getMessage();
        assertEquals(missing + " (PATCHBAY_CONFIG): no such file", why);
        Files.writeString(missing, "daemon-idle = 60\n");
        assertEquals(60, Settings.load(Map.of("PATCHBAY_CONFIG", missing.toString())).number(Setting.DAEMON_IDLE));
    }

    @Test
    void changedSettingsAndAReloadKeepTheRestartOnlyOnes() {
        Settings had = parse("repair-seconds = 2\nstate-dir = /a\n", Map.of());
        Settings next = parse("repair-seconds = 5\nstate-dir = /b\nlog-level = info\n", Map.of());
        assertEquals(List.of(Setting.STATE_DIR, Setting.REPAIR_SECONDS), had.changed(next));
        Settings running = next.withRestartOnlyOf(had);
        assertEquals("/a", running.get(Setting.STATE_DIR));
        assertEquals(5, running.number(Setting.REPAIR_SECONDS));
        assertEquals(List.of(Setting.STATE_DIR), running.changed(next), "a pending restart-only change is named again");
    }

    /** The Debian package's patchbay.conf shows every key at its default, commented out, with its variable; uncommented it parses. */
    @Test
    void thePackagedFileDocumentsEveryKeyAtItsDefault() throws Exception {
        Path packaged = Path.of("../packaging/src/deb/root/etc/patchbay/patchbay.conf");
        String text = Files.readString(packaged);
        for (Setting s : Setting.values()) {
            assertTrue(text.contains("\n#" + (s.key + " = " + s.fallback).strip() + "\n"), s.key + " at its default " + s.fallback);
            assertTrue(text.contains(s.env), s.env);
        }
        Settings all = Settings.parse(packaged, text.replaceAll("(?m)^#([a-z-]+ =)", "$1"), Map.of());
        for (Setting s : Setting.values()) {
            assertEquals(Settings.Source.FILE, all.source(s), s.key);
            assertEquals(s.fallback, all.get(s), s.key);
        }
    }

    @Test
    void hotDeployOffLoadsTheFolderOnceWithoutAWatcher() {
        Path bundles = Path.of("/nonexistent/bundles");
        assertNull(HotDeploy.forDaemon(Map.of(HotDeploy.DAEMON, "true", HotDeploy.ENABLED, "off"), bundles));
        assertTrue(HotDeploy.forDaemon(Map.of(HotDeploy.DAEMON, "true", HotDeploy.ENABLED, "on"), bundles) != null);
        assertNull(HotDeploy.forDaemon(Map.of(), bundles), "a CLI run never watches");
    }

    @Test
    void everyKeyHasAnEnvironmentVariableAndAValidDefault() {
        for (Setting s : Setting.values()) {
            assertTrue(s.env.startsWith("PATCHBAY_"), s.key);
            assertNull(s.kind.check(s.fallback), s.key + "'s default " + s.fallback);
        }
    }
}
