package dev.patchbay.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code bin/patchbay} of the built distribution, as a separate process, with a state
 * directory and a daemon run directory of the test's own.
 */
final class Cli {
    static final Path DIST = Path.of(System.getProperty("patchbay.dist", "target/patchbay"));
    private final Path stateDir;
    private final Path runDir;
    private final Map<String, String> env;

    Cli(Path stateDir, Path runDir) {
        this(stateDir, runDir, Map.of());
    }

    /** With extra environment for every command (e.g. PATH, PATCHBAY_DAEMON=off). */
    Cli(Path stateDir, Path runDir, Map<String, String> env) {
        this.stateDir = stateDir;
        this.runDir = runDir;
        this.env = Map.copyOf(env);
    }

    /** A CLI with fresh state and run folders of its own (no daemon until {@link #startDaemon}). */
    static Cli fresh() {
        try {
            return new Cli(Files.createTempDirectory("pb-state"), Files.createTempDirectory("pb-run"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    Path stateDir() {
        return stateDir;
    }

    Path runDir() {
        return runDir;
    }

    /** No network, attachment or journal record is left in the state folder (kept copies of damaged files aside), no address reserved. */
    void assertNoRecords() throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(stateDir)) {
            org.junit.jupiter.api.Assertions.assertEquals("", String.join(", ", files.filter(Files::isRegularFile)
                    .filter(f -> f.toString().contains("/networks/") || f.toString().contains("/attachments/") || f.toString().contains("/journal/"))
                    .filter(f -> !f.getFileName().toString().contains(".damaged-"))
                    .map(Path::toString).toList()), "no network, attachment or journal records left");
        }
        Path ipam = stateDir.resolve("ipam");
        if (Files.isDirectory(ipam)) {
            try (java.util.stream.Stream<Path> files = Files.walk(ipam)) {
                org.junit.jupiter.api.Assertions.assertEquals("", String.join(", ", files.filter(Files::isRegularFile)
                        .filter(f -> f.getFileName().toString().startsWith("10.")).map(Path::toString).toList()), "no address held");
            }
        }
    }

    record Run(int code, String out, String err) {
        Run ok() {
            if (code != 0) {
                throw new AssertionError("exit " + code + ": " + err + out);
            }
            return this;
        }
    }

    Run run(String... args) {
        try {
            List<String> argv = new ArrayList<>(List.of(DIST.resolve("bin/patchbay").toString()));
            argv.addAll(List.of(args));
            Path out = Files.createTempFile("pb-out", ".txt");
            Path err = Files.createTempFile("pb-err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile());
            Map<String, String> env = pb.environment();
            env.put("PATCHBAY_STATE_DIR", stateDir.toString());
            env.put("PATCHBAY_RUN_DIR", runDir.toString());
            env.putAll(this.env);
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("patchbay " + args + " timed out");
            }
            Run r = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Where {@link #startDaemon} writes the daemon's output: beside the run folder. */
    Path daemonLog() {
        return runDir.resolveSibling(runDir.getFileName() + ".daemon.log");
    }

    /** Starts {@code patchbay daemon} in the test JVM's namespace and waits for its socket. */
    Process startDaemon() throws Exception {
        return startDaemon(Map.of());
    }

    /** Starts the daemon with extra environment, e.g. its state directory. */
    Process startDaemon(Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(DIST.resolve("bin/patchbay").toString(), "daemon").redirectErrorStream(true)
                .redirectOutput(daemonLog().toFile());
        pb.environment().put("PATCHBAY_RUN_DIR", runDir.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (var files = Files.list(runDir)) {
                if (files.anyMatch(f -> f.toString().endsWith(".sock"))) {
                    return p;
                }
            } catch (java.nio.file.NoSuchFileException e) {
                // not yet
            }
            if (!p.isAlive()) {
                throw new AssertionError("the daemon exited with " + p.exitValue());
            }
            Thread.sleep(50);
        }
        p.destroyForcibly();
        throw new AssertionError("the daemon did not open its socket");
    }
}
