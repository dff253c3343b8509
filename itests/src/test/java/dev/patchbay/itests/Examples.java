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
 * distribution's Maven repository folder ({@code launcher/target/patchbay/maven}, which examples/pom.xml
 * names), with a local repository that has no {@code dev/patchbay} in it. Offline: the test JVM's sandbox
 * has no network, the main build has fetched every plugin the examples use, and examples/.mvn/maven.config
 * lets an offline Maven read file:// repositories.
 */
final class Examples {
    static final Path DIR = Path.of(System.getProperty("patchbay.examples", "../examples")).toAbsolutePath().normalize();
    private static boolean built;

    private Examples() {
    }

    /**
     * The macvlan example's host: a throwaway namespace {@code h} holding a veth, {@code up0} (the parent), both ends
     * up. Returns its name.
     */
    static String hostWithParent(dev.patchbay.testing.Sandbox sandbox) {
        String h = sandbox.netns("h");
        sandbox.run("ip", "-n", h, "link", "add", "up0", "type", "veth", "peer", "name", "up0p");
        sandbox.run("ip", "-n", h, "link", "set", "up0p", "up");
        sandbox.run("ip", "-n", h, "link", "set", "up0", "up");
        return h;
    }

    /** The bundle {@code examples/MODULE} builds (the newest jar of its target folder). */
    static synchronized Path jar(String module) {
        if (!built) {
            onceAcrossForks();
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

    /**
     * The test JVMs of one Maven run work side by side (failsafe's forkCount): the first to ask builds under a file
     * lock and leaves the run's stamp; the others wait for the lock, find the stamp and use the same jars (a second
     * build would rewrite jars another JVM is copying).
     */
    private static void onceAcrossForks() {
        String stamp = System.getProperty("patchbay.examples.stamp", "");
        Path target = Path.of(System.getProperty("user.dir"), "target");
        try {
            Files.createDirectories(target);
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(target.resolve("examples.lock"),
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
                 java.nio.channels.FileLock held = ch.lock()) {
                Path mark = target.resolve("examples.stamp");
                if (!stamp.isEmpty() && !stamp.startsWith("${") && Files.exists(mark) && Files.readString(mark).equals(stamp)) {
                    return; // another JVM of this run built them
                }
                build();
                Files.writeString(mark, stamp);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot lock the examples build in " + target + ": " + e, e);
        }
    }

    private static void build() {
        List<String> argv = new ArrayList<>(List.of(mvn(), "-o", "-q", "-B", "-f", DIR.resolve("pom.xml").toString(), "package"));
        String repo = System.getProperty("patchbay.m2.repo", "");
        try {
            if (!repo.isEmpty() && !repo.startsWith("${")) {
                argv.add("-Dmaven.repo.local=" + withoutPatchbay(Path.of(repo)));
            }
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

    /**
     * A local repository for the examples build: every entry of {@code repo} linked in, except
     * {@code dev/patchbay}, so that the API can come only from the distribution, never from an earlier
     * {@code mvn install} of Patchbay (which Maven would prefer: its copy there is as new as it knows).
     */
    private static Path withoutPatchbay(Path repo) throws IOException {
        Path local = Path.of("target", "examples-m2").toAbsolutePath();
        if (Files.isDirectory(local)) { // made anew: the links, not what they point to (walk follows no link)
            try (Stream<Path> old = Files.walk(local)) {
                for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(local.resolve("dev"));
        try (Stream<Path> top = Files.list(repo)) {
            for (Path p : top.filter(p -> !p.getFileName().toString().equals("dev")).toList()) {
                Files.createSymbolicLink(local.resolve(p.getFileName().toString()), p);
            }
        }
        if (Files.isDirectory(repo.resolve("dev"))) {
            try (Stream<Path> dev = Files.list(repo.resolve("dev"))) {
                for (Path p : dev.filter(p -> !p.getFileName().toString().equals("patchbay")).toList()) {
                    Files.createSymbolicLink(local.resolve("dev").resolve(p.getFileName().toString()), p);
                }
            }
        }
        return local;
    }

    /** Maven: the one running this build, else {@code mvn} on PATH. */
    private static String mvn() {
        String home = System.getProperty("patchbay.maven", "");
        Path bin = home.isEmpty() || home.startsWith("${") ? null : Path.of(home, "bin", "mvn");
        return bin != null && Files.isExecutable(bin) ? bin.toString() : "mvn";
    }
}
