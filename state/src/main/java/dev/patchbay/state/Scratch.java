package dev.patchbay.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A private copy of a state directory, for a dry run: the use case reads and writes the copy as it would the real one,
 * which stays as it was. Closing it deletes the copy.
 */
public final class Scratch implements AutoCloseable {
    private final Path dir;

    private Scratch(Path dir) {
        this.dir = dir;
    }

    /** Copies {@code stateDir} (nothing when it does not exist yet) into a new folder of the temp folder, 0700. */
    public static Scratch of(Path stateDir) {
        try {
            Path scratch = Files.createTempDirectory("patchbay-dry-run-");
            if (Files.isDirectory(stateDir)) {
                try (Stream<Path> all = Files.walk(stateDir)) {
                    for (Path p : (Iterable<Path>) all::iterator) {
                        Path to = scratch.resolve(stateDir.relativize(p).toString());
                        if (Files.isDirectory(p)) {
                            Files.createDirectories(to);
                        } else if (Files.isRegularFile(p)) {
                            Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                        }
                    }
                }
            }
            return new Scratch(scratch);
        } catch (IOException e) {
            throw new UncheckedIOException("failed to copy the state directory \"" + stateDir + "\" for a dry run: " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a copy left in the temp folder: harmless, and the real state is untouched
        }
    }
}
