package dev.patchbay.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One containerd process inside a {@link Holder}, as {@link Containerd} and {@link Cri} run it: started on a
 * configuration file, serving on {@code socket} (awaited), reached with {@code ctr}, stopped. Its log is the file
 * {@code log}.
 */
final class ContainerdProcess {
    private final Holder holder;
    private final Path socket;
    private final Path log;
    private final Process process;

    /** Starts {@code containerd -c config} in the holder, with {@code env} (null: the test's), and waits until it serves. */
    ContainerdProcess(Holder holder, Path config, Path socket, Map<String, String> env) throws IOException, InterruptedException {
        this.holder = holder;
        this.socket = socket;
        this.log = holder.base().resolve("containerd.log");
        ProcessBuilder pb = new ProcessBuilder(holder.nsenter(List.of("/usr/bin/containerd", "-c", config.toString())))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        if (env != null) {
            pb.environment().clear();
            pb.environment().putAll(env);
        }
        process = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!(Files.exists(socket) && ctr("default", Map.of(), "version").code() == 0)) {
            if (!process.isAlive()) {
                throw new AssertionError("containerd exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("containerd did not serve in 30 s: " + Files.readString(log));
            }
            Thread.sleep(50);
        }
    }

    /** The tools of {@code tools} that are not installed, or an empty list. */
    static List<String> absent(List<String> tools) {
        List<String> absent = new ArrayList<>();
        for (String t : tools) {
            if (!Files.isExecutable(Path.of(t))) {
                absent.add(t);
            }
        }
        return absent;
    }

    boolean alive() {
        return process.isAlive();
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** {@code ctr -n NAMESPACE ARGS} against this containerd, in the holder, with {@code env} added to a plain environment. */
    Holder.Result ctr(String namespace, Map<String, String> env, String... args) {
        List<String> argv = new ArrayList<>(List.of("/usr/bin/ctr", "-a", socket.toString(), "-n", namespace));
        argv.addAll(List.of(args));
        List<String> pairs = new ArrayList<>();
        env.forEach((k, v) -> {
            pairs.add(k);
            pairs.add(v);
        });
        return Holder.exec(holder.nsenter(argv), null, 180, pairs.toArray(String[]::new));
    }

    /** Stops containerd: SIGTERM, then SIGKILL after 30 s. */
    void stop() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
