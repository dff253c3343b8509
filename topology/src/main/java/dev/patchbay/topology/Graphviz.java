package dev.patchbay.topology;

import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.errors.UnavailableException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Graphviz's {@code dot}, run with argv (never a shell line), DOT on its stdin, the drawing on its stdout. */
final class Graphviz {
    static final String PROGRAM = "dot";
    private static final long DEADLINE_SECONDS = 60;

    private Graphviz() {
    }

    /** {@code dot} on {@code path} (a PATH value), or a clear error naming the program and the Debian package. */
    static Path find(String path) {
        for (String dir : (path == null ? "" : path).split(":")) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, PROGRAM);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        throw new UnavailableException("--format svg needs Graphviz's " + PROGRAM + " program, which is not on PATH ("
                + path + "): install the Debian package graphviz (apt install graphviz); --format dot prints the DOT it would draw");
    }

    /** The drawing of {@code dot} in {@code format} ({@code svg}, {@code png}). */
    static byte[] draw(Path program, String dot, String format) {
        Path err = null;
        try {
            err = Files.createTempFile("patchbay-dot", ".err");
            Process p = new ProcessBuilder(List.of(program.toString(), "-T" + format)).redirectError(err.toFile()).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(dot.getBytes(StandardCharsets.UTF_8)); // dot reads the whole graph before it writes
            }
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new PatchbayException(program + " -T" + format + " did not finish within " + DEADLINE_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                throw new PatchbayException(program + " -T" + format + " failed (exit " + p.exitValue() + "): "
                        + Files.readString(err).strip());
            }
            return out;
        } catch (IOException e) {
            throw new PatchbayException("failed to run " + program + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PatchbayException("interrupted while " + program + " was drawing", e);
        } finally {
            if (err != null) {
                try {
                    Files.deleteIfExists(err);
                } catch (IOException ignored) {
                    // a temp file left in /tmp
                }
            }
        }
    }
}
