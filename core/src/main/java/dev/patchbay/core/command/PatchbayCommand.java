package dev.patchbay.core.command;

import java.util.concurrent.Callable;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A top-level {@code patchbay} subcommand of a bundle: a DS component of {@code scope = ServiceScope.PROTOTYPE} (picocli
 * writes the options into a fresh object per run) with {@link PatchbayCommandName} and picocli's {@code @Command}. The
 * launcher mounts each under the root command; {@link CliContext#of} reads the root's global options.
 */
@ConsumerType
public interface PatchbayCommand extends Callable<Integer> {
}
