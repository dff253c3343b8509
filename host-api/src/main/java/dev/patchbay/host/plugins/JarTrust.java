package dev.patchbay.host.plugins;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which jars of the bundles folder may be loaded: a bundle runs with the process's privileges (root's, in the daemon),
 * so its jar and the folder holding it must be as hard to change as the launcher itself. A jar is trusted when the
 * file (a link followed) and its folder belong to root or to the process's own user, and neither is writable by group
 * or others. Anything else is refused before the framework reads it, named with the reason.
 *
 * <p>One rule for both sides: the launcher refuses the jars ({@code FelixBoot}, {@code HotDeploy}); {@code plugins ls}
 * and {@code doctor} (the orchestrator, importing this package from the system bundle) name the jars refused and why.
 */
public final class JarTrust {
    private static final int GROUP_OR_OTHER_WRITE = 0022;

    private JarTrust() {
    }

    /** Why {@code jar} must not be loaded, or null when it may. */
    public static String refusal(Path jar) {
        Path abs = jar.toAbsolutePath().normalize();
        String problem = check(abs.getParent(), "its folder " + abs.getParent());
        return problem != null ? problem : check(abs, "it");
    }

    private static String check(Path p, String what) {
        int uid;
        int mode;
        try {
            uid = (Integer) Files.getAttribute(p, "unix:uid");
            mode = (Integer) Files.getAttribute(p, "unix:mode");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return what + " cannot be checked: " + e.getMessage();
        }
        long self = selfUid();
        if (uid != 0 && uid != self) {
            return what + " belongs to uid " + uid + ", not to root";
        }
        if ((mode & GROUP_OR_OTHER_WRITE) != 0) {
            return what + " is writable by " + ((mode & 0020) != 0 && (mode & 0002) != 0 ? "group and others"
                    : (mode & 0020) != 0 ? "group" : "others") + String.format(" (mode %04o)", mode & 07777);
        }
        return null;
    }

    /** The process's user: the owner of {@code /proc/self} (no user database, no native call). */
    private static long selfUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** One line for the log and {@code plugins ls}: {@code refused bundles/x.jar: WHY}. */
    public static String refused(Path jar, String why) {
        return "refused bundles/" + jar.getFileName() + ": " + why + " (a plugin runs as root: its jar and folder must be root's "
                + "and writable by root alone)";
    }
}
