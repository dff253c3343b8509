package dev.patchbay.itests;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A copy of the built distribution ({@code launcher/target/patchbay}) with a state directory and a daemon
 * run directory of its own, whose {@code bin/patchbay} runs in a given namespace ({@code ip netns exec}, or
 * the test JVM's own for {@code null}).
 */
final class Dist implements AutoCloseable {
    private final Path home;
    private final Path state;
    private final Path run;
    private final Map<String, String> env = new HashMap<>();
    private Process daemon;
    private Path daemonLog;

    private Dist(Path home, Path state, Path run) {
        this.home = home;
        this.state = state;
        this.run = run;
    }

    static Dist copy() {
        Path original = Path.of(System.getProperty("patchbay.dist", "../launcher/target/patchbay"));
        try {
            Path home = Files.createTempDirectory("pb-dist");
            try (Stream<Path> walk = Files.walk(original)) {
                for (Path p : walk.toList()) {
                    Path target = home.resolve(original.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
            return new Dist(home, Files.createTempDirectory("pb-state"), Files.createTempDirectory("pb-run"));
        } catch (IOException e) {
            throw new AssertionError("cannot copy the distribution " + original + ": " + e, e);
        }
    }

    /** Every command runs without a daemon (each one a framework of its own, reading bundles/ as it is). */
    Dist withoutDaemon() {
        env.put("PATCHBAY_DAEMON", "off");
        return this;
    }

    /** Sets an environment variable of every command and of the daemon. */
    Dist with(String name, String value) {
        env.put(name, value);
        return this;
    }

    Path home() {
        return home;
    }

    Path bundles() {
        return home.resolve("bundles");
    }

    /** Runs the distribution's {@code cni/TYPE} in {@code netns} as a runtime does: only the call's environment and the Patchbay folders. */
    Run cni(String netns, String type, Map<String, String> call, String stdin) {
        try {
            ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", netns, home.resolve("cni").resolve(type).toString());
            pb.environment().clear();
            pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
            environment(pb);
            pb.environment().putAll(call);
            Process p = pb.start();
            try (var in = p.getOutputStream()) {
                in.write(stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (IOException e) {
                // it answered without reading stdin
            }
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("cni/" + type + " did not exit");
            }
            return new Run(p.exitValue(), out, err);
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Exit code, stdout and stderr of one command. */
    record Run(int code, String out, String err) {
        Run ok() {
            if (code != 0) {
                throw new AssertionError("exit " + code + ": " + err + out);
            }
            return this;
        }

        String all() {
            return out + err;
        }
    }

    /** Runs {@code bin/patchbay ARGS} in {@code netns} (null: the test JVM's namespace). */
    Run cli(String netns, String... args) {
        List<String> argv = new ArrayList<>();
        if (netns != null) {
            argv.addAll(List.of("ip", "netns", "exec", netns));
        }
        argv.add(home.resolve("bin/patchbay").toString());
        argv.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("pb-out", ".txt");
            Path err = Files.createTempFile("pb-err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile());
            environment(pb);
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("patchbay " + List.of(args) + " timed out");
            }
            Run r = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Starts {@code bin/patchbay ARGS} in {@code netns} and leaves it running (a stream: {@code events}); the caller ends it. */
    Process start(String netns, String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", netns, home.resolve("bin/patchbay").toString()));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv);
        environment(pb);
        return pb.start();
    }

    private void environment(ProcessBuilder pb) {
        pb.environment().put("PATCHBAY_STATE_DIR", state.toString());
        pb.environment().put("PATCHBAY_RUN_DIR", run.toString());
        pb.environment().putAll(env);
    }

    /** Starts {@code patchbay daemon} in {@code netns} and waits for its socket. */
    void startDaemon(String netns) {
        try {
            daemonLog = Files.createTempFile("pb-daemon", ".log");
            ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", netns, home.resolve("bin/patchbay").toString(), "daemon")
                    .redirectErrorStream(true).redirectOutput(daemonLog.toFile());
            environment(pb);
            daemon = pb.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                try (Stream<Path> files = Files.list(run)) {
                    if (files.anyMatch(f -> f.toString().endsWith(".sock"))) {
                        return;
                    }
                }
                if (!daemon.isAlive()) {
                    throw new AssertionError("the daemon exited with " + daemon.exitValue() + ": " + daemonLog());
                }
                Thread.sleep(50);
            }
            throw new AssertionError("the daemon did not open its socket: " + daemonLog());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    boolean daemonAlive() {
        return daemon != null && daemon.isAlive();
    }

    String daemonLog() {
        try {
            return daemonLog == null ? "" : Files.readString(daemonLog);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** {@code plugins ls -o json}, by symbolic name (jars that are not installed under their file name). */
    Map<String, JsonObject> plugins(String netns) {
        Run r = cli(netns, "-o", "json", "plugins", "ls").ok();
        Map<String, JsonObject> bySymbolicName = new HashMap<>();
        JsonArray all = JsonParser.parseString(r.out()).getAsJsonArray();
        for (JsonElement e : all) {
            JsonObject o = e.getAsJsonObject();
            String key = o.get("symbolicName").isJsonNull() ? o.getAsJsonArray("problems").get(0).getAsString() : o.get("symbolicName").getAsString();
            bySymbolicName.put(key, o);
        }
        return bySymbolicName;
    }

    /** Polls {@code check} every 200 ms until it holds or {@code seconds} have passed; returns whether it held. */
    static boolean within(int seconds, java.util.function.BooleanSupplier check) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            if (check.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** Stops the daemon (SIGTERM) and deletes the copy, the state and the run directory. */
    @Override
    public void close() {
        if (daemon != null) {
            daemon.destroy();
            try {
                if (!daemon.waitFor(60, TimeUnit.SECONDS)) {
                    daemon.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Path root : new Path[] {home, state, run, daemonLog}) {
            if (root == null || !Files.exists(root)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(root)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temp files
            }
        }
    }
}
