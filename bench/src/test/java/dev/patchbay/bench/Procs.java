package dev.patchbay.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Whole processes, argv only (never a shell line): set-up commands, and timed runs for the peers and the CLI. */
final class Procs {
    private Procs() {
    }

    record Timed(double ms, int code, String out, String err) {
        Timed ok(String what) {
            if (code != 0) {
                throw new IllegalStateException(what + " exited " + code + ": " + err + out);
            }
            return this;
        }
    }

    /** Runs a set-up command; fails with its output unless it exits 0. */
    static String run(String... argv) {
        Timed t = timed(List.of(argv), Map.of(), null);
        return t.ok(String.join(" ", argv)).out();
    }

    /** Runs a clean-up command; ignores failure. */
    static void quiet(String... argv) {
        timed(List.of(argv), Map.of(), null);
    }

    /**
     * Times one process from start to exit (ProcessBuilder start .. waitFor), with {@code env} added to
     * the environment and {@code stdin} (a file, or none) as its input. Output goes to files, read after
     * the clock stops.
     */
    static Timed timed(List<String> argv, Map<String, String> env, Path stdin) {
        return timed(argv, env, stdin, false);
    }

    /** As {@link #timed(List, Map, Path)}; {@code onlyEnv}: {@code env} is the whole environment (as a runtime gives a plugin). */
    static Timed timed(List<String> argv, Map<String, String> env, Path stdin, boolean onlyEnv) {
        try {
            File out = File.createTempFile("pb-bench-out", ".txt");
            File err = File.createTempFile("pb-bench-err", ".txt");
            try {
                ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(out).redirectError(err);
                pb.redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new File("/dev/null")) : ProcessBuilder.Redirect.from(stdin.toFile()));
                if (onlyEnv) {
                    pb.environment().clear();
                    pb.environment().put("PATCHBAY_DAEMON_AUTOSTART", "off"); // unless the bench says otherwise
                }
                pb.environment().putAll(env);
                long t0 = System.nanoTime();
                Process p = pb.start();
                if (!p.waitFor(300, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(argv + " timed out");
                }
                long t1 = System.nanoTime();
                return new Timed((t1 - t0) / 1e6, p.exitValue(), Files.readString(out.toPath()), Files.readString(err.toPath()));
            } finally {
                out.delete();
                err.delete();
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + argv + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** One {@code ip [-n NETNS] -b FILE} for many lines: fast set-up and tear-down. Returns the wall time in ms. */
    static double ipBatch(String netns, List<String> lines, boolean force) {
        try {
            Path f = Files.createTempFile("pb-bench-ip", ".batch");
            try {
                Files.write(f, lines, StandardCharsets.UTF_8);
                List<String> argv = new ArrayList<>(List.of("ip"));
                if (force) {
                    argv.add("-force");
                }
                if (netns != null) {
                    argv.addAll(Arrays.asList("-n", netns));
                }
                argv.addAll(Arrays.asList("-b", f.toString()));
                Timed t = timed(argv, Map.of(), null);
                if (!force) {
                    t.ok("ip -b (" + lines.size() + " lines, first: " + (lines.isEmpty() ? "" : lines.get(0)) + ")");
                }
                return t.ms();
            } finally {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write an ip batch file: " + e.getMessage(), e);
        }
    }

    /** The resident set of a process, in MiB, from /proc/PID/status ({@code key} VmRSS or VmHWM). */
    static double memoryMiB(long pid, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(key + ":")) {
                    String kb = line.substring(key.length() + 1).trim().split("\\s+")[0];
                    return Long.parseLong(kb) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    /** A plain field of /proc/PID/status (e.g. Threads), or "?". */
    static String status(long pid, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(key + ":")) {
                    return line.substring(key.length() + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            return "?";
        }
        return "?";
    }

    /** The JVM options of a process (its -X... arguments) and MALLOC_* variables of its environment, for the report. */
    static String jvmOptions(long pid) {
        StringBuilder s = new StringBuilder();
        try {
            for (String a : new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8).split("\0")) {
                if (a.startsWith("-X")) {
                    s.append(a).append(' ');
                }
            }
            for (String v : new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")), StandardCharsets.UTF_8).split("\0")) {
                if (v.startsWith("MALLOC_")) {
                    s.append(v).append(' ');
                }
            }
        } catch (IOException | RuntimeException e) {
            s.append("(unreadable: ").append(e.getMessage()).append(')');
        }
        return s.toString().strip();
    }

    /** Deletes a temp tree, best effort. */
    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // best effort
        }
    }
}
