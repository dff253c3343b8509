package dev.patchbay.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The API baseline works: in a copy of core (its sources, its pom, the released API in baseline/ and the
 * parent pom), an incompatible change without a version bump fails the build, naming the package; the
 * same change with the major bump it needs builds. Runs Maven offline on what the main build resolved. Core's own, but
 * run here, beside the end-to-end tests that mostly wait, rather than alone in core's build.
 */
class BaselineIT {
    static final Path CORE = Path.of(System.getProperty("user.dir")).resolveSibling("core"); // run from itests/
    static final String PLUGIN = "core/src/main/java/dev/patchbay/core/network/NetworkPlugin.java";
    static final String VERSION = "core/src/main/java/dev/patchbay/core/network/package-info.java";
    Path copy;

    @BeforeEach
    void copyCore() throws IOException {
        copy = Files.createTempDirectory("pb-baseline");
        Files.copy(CORE.resolveSibling("pom.xml"), copy.resolve("pom.xml"));
        copyTree(CORE.resolve("pom.xml"), copy.resolve("core/pom.xml"));
        copyTree(CORE.resolve("src/main"), copy.resolve("core/src/main"));
        copyTree(CORE.resolve("baseline"), copy.resolve("core/baseline"));
    }

    @AfterEach
    void removeCopy() throws IOException {
        try (Stream<Path> walk = Files.walk(copy)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void aBreakingChangeWithoutAVersionBumpFailsTheBuild() throws Exception {
        // a new abstract method on a consumer type breaks every plugin built against the API
        edit(PLUGIN, "    /** Service property naming the plugin type. */", "    void addedWithoutDefault();\n\n    /** Service property naming the plugin type. */");
        Result broken = build();
        assertNotEquals(0, broken.code, broken.out);
        assertTrue(broken.out.contains("dev.patchbay.core.network"), broken.out);
        assertTrue(broken.out.contains("MAJOR"), broken.out);

        String info = Files.readString(copy.resolve(VERSION)); // the next major of whatever version the package has now
        int major = Integer.parseInt(info.replaceAll("(?s).*versioning\\.Version\\(\"(\\d+)\\..*", "$1"));
        Files.writeString(copy.resolve(VERSION), info.replaceAll("versioning\\.Version\\(\"[^\"]*\"\\)", "versioning.Version(\"" + (major + 1) + ".0.0\")"));
        Result bumped = build(); // the check ran and passed (the unchanged API passes it in the main build)
        assertEquals(0, bumped.code, bumped.out);
        assertTrue(bumped.out.contains("Baseline check succeeded"), bumped.out);
    }

    record Result(int code, String out) {
    }

    private Result build() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("mvn", "-o", "-B", "-ntp", "-f", copy.resolve("core/pom.xml").toString(),
                "package", "-DskipTests", "-Dstyle.color=never").redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home")); // the real JDK, not the sandbox wrapper
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }

    private void edit(String file, String from, String to) throws IOException {
        Path f = copy.resolve(file);
        String s = Files.readString(f);
        assertTrue(s.contains(from), file + " holds " + from);
        Files.writeString(f, s.replace(from, to));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.createDirectories(t.getParent());
                    Files.copy(p, t);
                }
            }
        }
    }

}
