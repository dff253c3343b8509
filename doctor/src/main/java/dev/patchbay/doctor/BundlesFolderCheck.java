package dev.patchbay.doctor;

import dev.patchbay.host.plugins.JarTrust;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code doctor}'s look at the bundles folder through the launcher's jar rule ({@link JarTrust}). */
final class BundlesFolderCheck {
    private BundlesFolderCheck() {
    }

    /**
     * For {@code doctor}: the bundles folder named by the framework property {@code dir} (null: no line), one line per jar
     * refused, each {@code {status, detail}}; or one {@code ok} line.
     */
    static List<String[]> doctor(String dir) {
        if (dir == null) {
            return List.of();
        }
        List<String[]> out = new ArrayList<>();
        int jars = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of(dir), "*.jar")) {
            for (Path jar : ds) {
                jars++;
                String why = JarTrust.refusal(jar);
                if (why != null) {
                    out.add(new String[] {"fail", JarTrust.refused(jar, why)});
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
}
