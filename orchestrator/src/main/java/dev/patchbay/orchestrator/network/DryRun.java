package dev.patchbay.orchestrator.network;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.errors.BackendException;
import dev.patchbay.orchestrator.dryrun.OverlayStack;
import dev.patchbay.orchestrator.dryrun.ShellScript;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/**
 * {@code --dry-run}: a use case run as it would run, over a copy of the state directory (deleted afterwards), a stack
 * that reads the kernel and records each change instead of making it ({@link OverlayStack}), and the firewall's
 * rehearsal (each backend says what it would run); no event is posted. What it gives is the change as a shell script in
 * the seeds' language; the kernel and the state directory are as before.
 */
final class DryRun {
    /** The option's help. */
    static final String HELP = "Print the change as the commands that make it (ip, sysctl, nft or iptables: the current backend's), a script "
            + "sh runs; change nothing.";

    /** What {@code -o json} prints: the commands, in order. */
    record Script(List<String> commands) {
    }

    private DryRun() {
    }

    /** Runs {@code useCase} with the dry run's manager and state directory; returns the script. */
    static ShellScript run(NetworkManager m, Path stateDir, BiConsumer<NetworkManager, Path> useCase) {
        ShellScript script = new ShellScript();
        Path scratch = copy(stateDir);
        try (OverlayStack overlay = new OverlayStack(m.stack(), script)) {
            NetworkManager dry = m.rehearsal(overlay, m.firewall.rehearsal(script::line));
            Posted.quietly(() -> {
                useCase.accept(dry, scratch);
                return null;
            });
        } finally {
            delete(scratch);
        }
        return script;
    }

    /** {@link #run}, printed: the script (text) or its commands (JSON). Exit code 0. */
    static int print(CliContext cli, NetworkManager m, BiConsumer<NetworkManager, Path> useCase) {
        ShellScript script = run(m, cli.stateDir(), useCase);
        cli.print(new Script(script.lines()), script::text);
        return 0;
    }

    /** A private copy of {@code stateDir} (empty when it does not exist yet). */
    private static Path copy(Path stateDir) {
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
            return scratch;
        } catch (IOException e) {
            throw new BackendException("failed to copy the state directory \"" + stateDir + "\" for a dry run: " + e.getMessage(), e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a scratch folder left in the temp folder: harmless
        }
    }
}
