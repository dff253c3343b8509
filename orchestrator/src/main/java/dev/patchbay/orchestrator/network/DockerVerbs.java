package dev.patchbay.orchestrator.network;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.errors.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Docker's verbs on networks, as {@code network} subcommands: {@code connect NET NETNS} and {@code disconnect NET NETNS}
 * are {@code attach} and {@code detach} (their options, their output), the container's named namespace given as the
 * second argument (or as --netns, --pid, --path); {@code prune} removes the networks no container is attached to.
 */
final class DockerVerbs {
    private DockerVerbs() {
    }

    /** The second argument as the container's named namespace, unless the options name one. */
    private static void netns(ContainerOptions container, String netns) {
        if (netns != null && container.hasNamespace()) {
            throw new InvalidInputException("container", netns, "is named twice: give NETNS or one of --netns, --pid, --path");
        }
        if (netns != null) {
            container.netns = netns;
        }
    }

    @Command(name = "connect", description = "Attach a container to a network, as docker network connect: the same as patchbay "
            + "attach NETWORK --netns NETNS, with its options and output.")
    static final class Connect extends AttachCommand {
        @ParentCommand NetworkCommand parent;
        @Parameters(index = "1", arity = "0..1", paramLabel = "NETNS", description = "The container's named network namespace.") String netnsArg;

        @Override
        public Integer call() {
            manager = parent.manager;
            netns(container, netnsArg);
            return super.call();
        }
    }

    @Command(name = "disconnect", description = "Detach a container from a network, as docker network disconnect: the same as "
            + "patchbay detach NETWORK --netns NETNS, with its options and output. Safe to repeat.")
    static final class Disconnect extends DetachCommand {
        @ParentCommand NetworkCommand parent;
        @Parameters(index = "1", arity = "0..1", paramLabel = "NETNS", description = "The container's named network namespace.") String netnsArg;

        @Override
        public Integer call() {
            manager = parent.manager;
            netns(container, netnsArg);
            return super.call();
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true, description = {"Remove every network of this host namespace (or of "
            + "one that is gone) that no container is attached to, as docker network prune.", "Without --force it names them and"
            + " removes none (commands reach the daemon without a terminal to confirm on): exit 1."})
    static final class Prune implements Callable<Integer> {
        @ParentCommand NetworkCommand parent;
        @Spec CommandSpec spec;
        @Option(names = {"-f", "--force"}, description = "Remove them.") boolean force;
        @Option(names = "--filter", paramLabel = "label=KEY[=VALUE]", description = "Only networks with this label (repeatable: every one).")
        List<String> filters;
        @Option(names = "--dry-run", description = DryRun.HELP) boolean dryRun;

        @Override
        public Integer call() {
            CliContext cli = CliContext.of(spec);
            Networks networks = parent.manager.networks(cli.stateDir());
            List<String> unused = networks.unused(cli.netns(), filters == null ? List.of() : filters);
            if (dryRun) {
                return DryRun.print(cli, parent.manager, (m, dir) -> unused.forEach(n -> m.networks(dir).remove(cli.netns(), n, false)));
            }
            if (!force) {
                Map<String, List<String>> out = new java.util.LinkedHashMap<>(); // the fields in this order, every run
                out.put("wouldRemove", unused);
                out.put("removed", List.of());
                cli.print(out, () -> unused.isEmpty() ? "no network to prune"
                        : "network prune would remove " + String.join(", ", unused) + ": run it with --force (-f) to remove them");
                return unused.isEmpty() ? 0 : 1;
            }
            List<String> removed = new ArrayList<>();
            ErrorCollector errors = new ErrorCollector();
            for (String n : unused) {
                errors.run("remove network \"" + n + "\"", () -> { // refused if a container was attached since: it is in use
                    networks.remove(cli.netns(), n, false);
                    removed.add(n);
                });
            }
            cli.print(Map.of("removed", removed), () -> removed.isEmpty() ? "no network to prune" : "removed " + String.join(", ", removed));
            errors.throwIfAny("network prune removed " + removed.size() + " of " + unused.size());
            return 0;
        }
    }
}
