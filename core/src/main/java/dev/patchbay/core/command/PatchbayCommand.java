package dev.patchbay.core.command;

import java.util.concurrent.Callable;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A top-level {@code patchbay} subcommand contributed by a bundle. Implementations are DS components
 * with {@code scope = ServiceScope.PROTOTYPE} (one fresh object per invocation, since picocli writes the
 * parsed options into it), carry {@link PatchbayCommandName}, and are annotated with picocli's
 * {@code @Command}. The launcher mounts every such service under the root command; the root's global
 * options are read with {@link CliContext#of}.
 */
@ConsumerType
public interface PatchbayCommand extends Callable<Integer> {
}
