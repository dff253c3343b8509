package dev.patchbay.launcher;

import dev.patchbay.launcher.CniShimTest.Run;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a real program (the CLI, a shim) that must answer within a deadline: the daemon fault tests' one clock. */
final class Within {
    private Within() {
    }

    /**
     * Runs {@code task} on a thread of its own. Not the common pool: on a two-core machine it has one thread, so two
     * blocking tasks there run one after the other (or one never starts while an earlier test's task still blocks).
     */
    static <T> java.util.concurrent.CompletableFuture<T> async(java.util.concurrent.Callable<T> task) {
        java.util.concurrent.CompletableFuture<T> f = new java.util.concurrent.CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, "test-async");
        t.setDaemon(true);
        t.start();
        return f;
    }

    /** Runs {@code argv} with exactly {@code env} and {@code stdin}; an AssertionError if it has not exited in {@code seconds}. */
    static Run run(long seconds, List<String> argv, Map<String, String> env, byte[] stdin) throws Exception {
        Path out = Files.createTempFile("pb-out", ".txt");
        Path err = Files.createTempFile("pb-err", ".txt");
        Path in = Files.createTempFile("pb-in", ".txt");
        try {
            Files.write(in, stdin);
            ProcessBuilder pb = new ProcessBuilder(argv).redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().clear();
            pb.environment().put("PATCHBAY_DAEMON_AUTOSTART", "off"); // unless the test says otherwise: no daemon started
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError(String.join(" ", argv) + " did not answer within " + seconds + " s");
            }
            return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.delete(out);
            Files.delete(err);
            Files.delete(in);
        }
    }

    /** The CLI of {@code cli} (its state and run folders), {@code args}, within {@code seconds}. */
    static Run cli(Cli cli, long seconds, String... args) throws Exception {
        return run(seconds, argv(Cli.DIST.resolve("bin/patchbay"), args), cliEnv(cli), new byte[0]);
    }

    static Map<String, String> cliEnv(Cli cli) {
        Map<String, String> env = new java.util.HashMap<>(System.getenv()); // as Cli.run: the test's, plus its folders
        env.put("PATCHBAY_STATE_DIR", cli.stateDir().toString());
        env.put("PATCHBAY_RUN_DIR", cli.runDir().toString());
        return env;
    }

    /** A CNI call through the shim installed as {@code type}, within {@code seconds}. */
    static Run cni(long seconds, String type, Map<String, String> env, String config) throws Exception {
        return run(seconds, List.of(Cli.DIST.resolve("cni").resolve(type).toAbsolutePath().toString()), env, config.getBytes(StandardCharsets.UTF_8));
    }

    static List<String> argv(Path program, String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of(program.toString()));
        argv.addAll(List.of(args));
        return argv;
    }

    /** Sends {@code signal} (STOP, CONT) to {@code pid}. */
    static void signal(long pid, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + signal + " " + pid + " failed");
        }
    }
}
