package dev.patchbay.orchestrator.plugins;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The launcher's rule for the jars of the bundles folder (its {@code JarTrust}, which refuses them; this side only
 * explains): a jar is loaded only when the file and its folder belong to root or to the process's own user and neither
 * is writable by group or others. {@code plugins ls} and {@code doctor} name the jars refused and why.
 */
public final class JarTrust {
    private JarTrust() {
    }

    /** Why the launcher refuses {@code jar}, or null when it loads it. */
    public static String refusal(Path jar) {
        Path abs = jar.toAbsolutePath().normalize();
        String problem = check(abs.getParent(), "its folder " + abs.getParent());
        return problem != null ? problem : check(abs, "it");
    }

    /** {@code refused bundles/x.jar: WHY (...)}, as the launcher says it. */
    public static String refused(Path jar, String why) {
        return "refused bundles/" + jar.getFileName() + ": " + why + " (a plugin runs as root: its jar and folder must be root's "
                + "and writable by root alone)";
    }

    /**
     * For {@code doctor}: the bundles folder named by the framework property {@code dir} (null: no line), one line per jar
     * refused, each {@code {status, detail}}; or one {@code ok} line.
     */
    public static List<String[]> doctor(String dir) {
        if (dir == null) {
            return List.of();
        }
        List<String[]> out = new ArrayList<>();
        int jars = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of(dir), "*.jar")) {
            for (Path jar : ds) {
                jars++;
                String why = refusal(jar);
                if (why != null) {
                    out.add(new String[] {"fail", refused(jar, why)});
                }
            }
        } catch (IOException e) {
            out.add(new String[] {"fail", "cannot list " + dir + ": " + e.getMessage()});
        }
        if (out.isEmpty()) {
            out.add(new String[] {"ok", dir + ": " + jars + " jars, each and the folder root's and writable by root alone"});
        }
        return out;
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
        if (uid != 0 && uid != selfUid()) {
            return what + " belongs to uid " + uid + ", not to root";
        }
        if ((mode & 0022) != 0) {
            return what + " is writable by " + ((mode & 0020) != 0 && (mode & 0002) != 0 ? "group and others"
                    : (mode & 0020) != 0 ? "group" : "others") + String.format(" (mode %04o)", mode & 07777);
        }
        return null;
    }

    private static long selfUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
