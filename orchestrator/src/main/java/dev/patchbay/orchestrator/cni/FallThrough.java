package dev.patchbay.orchestrator.cni;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A call Patchbay does not serve goes to the next plugin of its type on CNI_PATH: the first folder holding an
 * executable of that name that is not Patchbay's own shim (compared by real path: the distribution's {@code cni/}
 * folder, and any link to its {@code patchbay} executable). It runs with the call's environment and stdin (plus
 * {@value #MARK}, so that a copy of the shim elsewhere on the path cannot send the call round again); its stdout,
 * stderr and exit code become the call's.
 */
final class FallThrough {
    static final String MARK = "PATCHBAY_CNI_FALLTHROUGH";

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

    /** Runs {@code plugin} for the call; returns its exit code. */
    static int run(Path plugin, CniCall call, PrintWriter out, PrintWriter err) {
        ProcessBuilder pb = new ProcessBuilder(plugin.toString());
        Map<String, String> env = pb.environment();
        env.clear();
        env.putAll(call.env());
        env.put(MARK, "1");
        try {
            Process p = pb.start();
            CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            CompletableFuture<byte[]> stdout = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
            try (OutputStream in = p.getOutputStream()) {
                in.write(call.stdin());
            } catch (IOException e) {
                // the plugin did not read all of its stdin: its answer says why
            }
            out.print(new String(stdout.join(), StandardCharsets.UTF_8));
            err.print(new String(stderr.join(), StandardCharsets.UTF_8));
            return p.waitFor();
        } catch (IOException e) {
            throw new CniError(CniError.IO, "cannot run " + plugin + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CniError(CniError.TRY_AGAIN, "interrupted while " + plugin + " ran");
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
