package dev.patchbay.itests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The examples, built once per test JVM the way their author builds them: {@code mvn -f examples/pom.xml
 * package}, a build of its own that knows Patchbay only as the {@code dev.patchbay:core} artifact of the
 * local repository (this module's pom installs it there first). Offline: the test JVM's sandbox has no
 * network, and the main build has fetched every plugin the examples use.
 */
final class Examples {
    static final Path DIR = Path.of(System.getProperty("patchbay.examples", "../examples")).toAbsolutePath().normalize();
    private static boolean built;

    private Examples() {
    }

    /** The bundle {@code examples/MODULE} builds (the newest jar of its target folder). */
    static synchronized Path jar(String module) {
        if (!built) {
            build();
            built = true;
        }
        try (Stream<Path> files = Files.list(DIR.resolve(module).resolve("target"))) {
            return files.filter(p -> p.getFileName().toString().matches(module + "-.*\\.jar"))
                    .max(Comparator.comparing(p -> p.toFile().lastModified()))
                    .orElseThrow(() -> new AssertionError("examples/" + module + " built no jar"));
        } catch (IOException e) {
            throw new AssertionError("examples/" + module + " built nothing: " + e, e);
        }
    }

    private static void build() {
        List<String> argv = new ArrayList<>(List.of(mvn(), "-o", "-q", "-B", "-f", DIR.resolve("pom.xml").toString(), "package"));
        String repo = System.getProperty("patchbay.m2.repo", "");
        if (!repo.isEmpty() && !repo.startsWith("${")) {
            argv.add("-Dmaven.repo.local=" + repo);
        }
        try {
            Path log = Files.createTempFile("pb-examples", ".log");
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile());
            // the test JVM runs under the sandbox's java wrapper: give Maven the real Java
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            Process p = pb.start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("the examples build did not finish in 10 minutes: " + Files.readString(log));
            }
            String out = Files.readString(log);
            Files.delete(log);
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", argv) + " exited " + p.exitValue() + ":\n" + out);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + argv + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Maven: the one running this build, else {@code mvn} on PATH. */
    private static String mvn() {
        String home = System.getProperty("patchbay.maven", "");
        Path bin = home.isEmpty() || home.startsWith("${") ? null : Path.of(home, "bin", "mvn");
        return bin != null && Files.isExecutable(bin) ? bin.toString() : "mvn";
    }
}
