package dev.patchbay.cni;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A call Patchbay does not serve goes to the next plugin of its type on CNI_PATH: the first folder holding an
 * executable of that name that is not Patchbay's own shim (compared by real path: the distribution's {@code cni/}
 * folder, and any link to its {@code patchbay} executable). It runs with the call's environment and stdin (plus
 * {@value #MARK}, so that a copy of the shim elsewhere on the path cannot send the call round again); its stdout,
 * stderr and exit code become the call's.
 *
 * <p>It lives no longer than the call: when the caller goes away (the shim killed: the daemon's connection closed),
 * or the serving thread is interrupted, the plugin and every process it started are killed, and the call fails with
 * code 11; when the plugin ends, what it started that was seen running (a look every 50 ms) is killed too. Where
 * {@code setpriv} is installed the
 * plugin also gets SIGKILL from the kernel when the process that started it dies (a cold call's launcher killed with
 * the shim it replaced).
 */
final class FallThrough {
    static final String MARK = "PATCHBAY_CNI_FALLTHROUGH";
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    private static final long POLL_MS = 50;

    private FallThrough() {
    }

    /** The plugin to run instead, if there is one (never when the call already fell through once). */
    static Optional<Path> next(CniCall call) {
        if (call.env(MARK) != null || !call.type().matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            return Optional.empty();
        }
        Path selfDir = real(home().map(h -> h.resolve("cni")).orElse(null));
        Path selfExe = selfDir == null ? null : real(selfDir.resolve("patchbay"));
        for (String dir : call.path()) {
            Path candidate = Path.of(dir).resolve(call.type());
            if (!Files.isRegularFile(candidate) || !Files.isExecutable(candidate)) {
                continue;
            }
            Path real = real(candidate);
            Path realDir = real(Path.of(dir));
            if (real == null || real.equals(selfExe) || (realDir != null && realDir.equals(selfDir)) || isShim(real)) {
                continue;
            }
            return Optional.of(candidate);
        }
        return Optional.empty();
    }

    /** Runs {@code plugin} for the call while its caller is there ({@code callerGone} false); returns its exit code. */
    static int run(Path plugin, CniCall call, PrintWriter out, PrintWriter err, BooleanSupplier callerGone) {
        ProcessBuilder pb = new ProcessBuilder(Files.isExecutable(SETPRIV)
                ? List.of(SETPRIV.toString(), "--pdeathsig", "KILL", "--", plugin.toString()) : List.of(plugin.toString()));
        Map<String, String> env = pb.environment();
        env.clear();
        env.putAll(call.env());
        env.put(MARK, "1");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new CniError(CniError.IO, "cannot run " + plugin + ": " + e.getMessage());
        }
        Set<ProcessHandle> started = new LinkedHashSet<>(); // everything it started, seen while it ran
        Drain stdout = new Drain(p.getInputStream(), "stdout");
        Drain stderr = new Drain(p.getErrorStream(), "stderr");
        Thread stdin = daemon(() -> {
            try (OutputStream in = p.getOutputStream()) {
                in.write(call.stdin());
            } catch (IOException e) {
                // the plugin did not read all of its stdin: its answer says why
            }
        }, "stdin");
        try {
            while (!p.waitFor(POLL_MS, TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(started::add);
                if (callerGone.getAsBoolean()) {
                    kill(p, started);
                    throw new CniError(CniError.TRY_AGAIN, "the caller went away while " + plugin + " ran: killed it (pid " + p.pid() + ")"
                            + (started.isEmpty() ? "" : " and the " + started.size() + " processes it started"));
                }
            }
        } catch (InterruptedException e) {
            kill(p, started);
            Thread.currentThread().interrupt();
            throw new CniError(CniError.TRY_AGAIN, "interrupted while " + plugin + " ran: killed it (pid " + p.pid() + ")");
        } finally {
            started.forEach(ProcessHandle::destroyForcibly); // whatever it left behind ends with the call
            stdin.interrupt();
        }
        out.print(stdout.text());
        err.print(stderr.text());
        return p.exitValue();
    }

    private static void kill(Process p, Set<ProcessHandle> started) {
        p.descendants().forEach(started::add);
        p.destroyForcibly();
        started.forEach(ProcessHandle::destroyForcibly);
    }

    /** A stream read to its end on a thread of its own; what was read by the time the call needs it. */
    private static final class Drain {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final InputStream in;
        private final Thread thread;

        Drain(InputStream in, String name) {
            this.in = in;
            this.thread = daemon(() -> {
                byte[] buf = new byte[8192];
                try (in) {
                    for (int n; (n = in.read(buf)) > 0; ) {
                        synchronized (bytes) {
                            bytes.write(buf, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // closed: what was read is the answer
                }
            }, name);
        }

        /** Everything, once the writer's end is closed; after 2 s (a process it started holds it open) what there is. */
        String text() {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                try {
                    in.close();
                } catch (IOException e) {
                    // reading stops either way
                }
            }
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }

    private static Thread daemon(Runnable r, String what) {
        Thread t = new Thread(r, "patchbay-cni-fallthrough-" + what);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Patchbay's home ({@code -Dpatchbay.home}, set by bin/patchbay), holding {@code cni/}. */
    private static Optional<Path> home() {
        String h = System.getProperty("patchbay.home");
        return h == null || h.isEmpty() ? Optional.empty() : Optional.of(Path.of(h));
    }

    /** A copy of the distribution's shim elsewhere: a file named patchbay in a cni folder next to bin/patchbay. */
    private static boolean isShim(Path real) {
        Path dir = real.getParent();
        return real.getFileName().toString().equals("patchbay") && dir != null && dir.getFileName() != null
                && dir.getFileName().toString().equals("cni") && dir.getParent() != null
                && Files.exists(dir.getParent().resolve("bin").resolve("patchbay"));
    }

    private static Path real(Path p) {
        try {
            return p == null ? null : p.toRealPath();
        } catch (IOException e) {
            return null;
        }
    }
}
