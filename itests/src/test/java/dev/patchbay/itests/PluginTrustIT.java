package dev.patchbay.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Plugins that cannot hurt the host: a jar the launcher may not trust (not root's, or writable by group or others, or in
 * such a folder) is never loaded, by a CLI run or by a running daemon, and {@code plugins ls} and {@code doctor} say why;
 * a second copy of an installed jar is refused, and removing it leaves the installed bundle alone.
 */
@NetnsTest
class PluginTrustIT {
    static final String MACVLAN = HotDeployIT.MACVLAN;

    @Test
    void aJarOthersCanWriteOrOwnIsNotLoaded(Sandbox sandbox) throws Exception {
        Path jar = Examples.jar("macvlan");
        String h = sandbox.netns("h");
        try (Dist dist = Dist.copy().withoutDaemon()) {
            Path dropped = dist.bundles().resolve(jar.getFileName());
            Files.copy(jar, dropped);
            Files.setPosixFilePermissions(dropped, PosixFilePermissions.fromString("rw-rw-rw-"));
            JsonObject mv = notInstalled(dist, h);
            assertEquals("refused bundles/" + jar.getFileName() + ": it is writable by group and others (mode 0666) (a plugin runs as "
                    + "root: its jar and folder must be root's and writable by root alone)", mv.getAsJsonArray("problems").get(0).getAsString());
            Dist.Run create = dist.cli(h, "network", "create", "mv", "--driver", "macvlan", "--opt", "parent=lo", "--subnet", "10.131.0.0/24");
            assertTrue(create.err().contains("warning: refused bundles/" + jar.getFileName()), create.all());
            assertTrue(create.err().contains("no network driver \"macvlan\" is installed"), create.all());
            JsonObject doctor = pluginsCheck(dist, h);
            assertEquals("fail", doctor.get("status").getAsString(), doctor.toString());
            assertTrue(doctor.get("detail").getAsString().startsWith("refused bundles/" + jar.getFileName() + ": it is writable"), doctor.toString());

            Files.setPosixFilePermissions(dropped, PosixFilePermissions.fromString("rw-r--r--"));
            Files.setAttribute(dropped, "unix:uid", 65534);
            assertEquals("refused bundles/" + jar.getFileName() + ": it belongs to uid 65534, not to root (a plugin runs as root: its jar "
                    + "and folder must be root's and writable by root alone)", notInstalled(dist, h).getAsJsonArray("problems").get(0).getAsString());

            Files.setAttribute(dropped, "unix:uid", 0);
            assertEquals("ACTIVE", dist.plugins(h).get(MACVLAN).get("state").getAsString(), "root's alone: loaded");
            assertEquals("ok", pluginsCheck(dist, h).get("status").getAsString());
        }
    }

    @Test
    void aRunningDaemonRefusesJarsOfAFolderOthersCanWrite(Sandbox sandbox) throws Exception {
        Path jar = Examples.jar("macvlan");
        String h = sandbox.netns("h");
        try (Dist dist = Dist.copy()) {
            dist.startDaemon(h);
            Files.setPosixFilePermissions(dist.bundles(), PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.copy(jar, dist.bundles().resolve(jar.getFileName()));
            String refused = "refused bundles/" + jar.getFileName() + ": its folder ";
            assertTrue(Dist.within(15, () -> dist.daemonLog().contains(refused)), dist.daemonLog());
            assertTrue(dist.daemonLog().contains("bundles is writable by group and others (mode 0777)"), dist.daemonLog());
            assertEquals("NOT_INSTALLED", notInstalled(dist, h).get("state").getAsString());
            assertTrue(dist.daemonAlive(), "the bundles it had keep running: " + dist.daemonLog());

            Files.setPosixFilePermissions(dist.bundles(), PosixFilePermissions.fromString("rwxr-xr-x"));
            assertTrue(Dist.within(15, () -> active(dist, h)), "once the folder is root's alone: " + dist.daemonLog());
        }
    }

    @Test
    void aSecondCopyOfAnInstalledJarNeverUninstallsIt(Sandbox sandbox) throws Exception {
        Path jar = Examples.jar("macvlan");
        String h = Examples.hostWithParent(sandbox);
        try (Dist dist = Dist.copy()) {
            dist.startDaemon(h);
            Files.copy(jar, dist.bundles().resolve(jar.getFileName()));
            assertTrue(Dist.within(15, () -> active(dist, h)), dist.daemonLog());

            Path copy = dist.bundles().resolve("copy-of-macvlan.jar");
            Files.copy(jar, copy);
            String twin = "bundles/copy-of-macvlan.jar is not installed: the same bundle (" + MACVLAN + " ";
            assertTrue(Dist.within(15, () -> dist.daemonLog().contains(twin)), dist.daemonLog());
            assertTrue(dist.daemonLog().contains(") is installed from bundles/" + jar.getFileName()), dist.daemonLog());
            Files.delete(copy);
            Thread.sleep(3 * 1000); // three polls: a removal is seen within two
            assertEquals("ACTIVE", dist.plugins(h).get(MACVLAN).get("state").getAsString(), dist.daemonLog());
            assertFalse(dist.daemonLog().contains("updated bundle " + MACVLAN), "never updated from the copy: " + dist.daemonLog());
            assertFalse(dist.daemonLog().contains("uninstalled bundle " + MACVLAN), dist.daemonLog());
            dist.cli(h, "network", "create", "mv", "--driver", "macvlan", "--opt", "parent=up0", "--subnet", "10.132.0.0/24").ok();
            dist.cli(h, "network", "rm", "mv").ok();
        }
    }

    /** The macvlan bundle is installed and active (plugins ls also lists, by name, a jar that is not installed yet). */
    private static boolean active(Dist dist, String h) {
        JsonObject mv = dist.plugins(h).get(MACVLAN);
        return mv != null && mv.get("state").getAsString().equals("ACTIVE");
    }

    /** {@code doctor}'s check of the bundles folder. */
    private static JsonObject pluginsCheck(Dist dist, String h) {
        String out = dist.cli(h, "-o", "json", "doctor").out();
        for (var c : JsonParser.parseString(out).getAsJsonObject().getAsJsonArray("checks")) {
            JsonObject o = c.getAsJsonObject();
            if (o.get("area").getAsString().equals("plugins")) {
                return o;
            }
        }
        throw new AssertionError("doctor has no plugins check: " + out);
    }

    /** The one entry of {@code plugins ls} that is not installed (the macvlan jar), by its problem. */
    private static JsonObject notInstalled(Dist dist, String h) {
        Map<String, JsonObject> all = dist.plugins(h);
        return all.values().stream().filter(o -> o.get("state").getAsString().equals("NOT_INSTALLED")).findFirst()
                .orElseThrow(() -> new AssertionError("every jar is installed: " + all.keySet()));
    }
}
