package dev.patchbay.orchestrator.network;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.dryrun.OverlayStack;
import dev.patchbay.dryrun.ScratchIpam;
import dev.patchbay.dryrun.ShellScript;
import dev.patchbay.state.Scratch;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * {@code --dry-run}: a use case run as it would run, over a copy of the state directory (deleted afterwards; an IPAM data
 * directory outside it is copied into it, {@link ScratchIpam}), a stack
 * that reads the kernel and records each change instead of making it ({@link OverlayStack}), and the firewall's
 * rehearsal (each backend says what it would run); no event is posted. What it gives is the change as a shell script in
 * the seeds' language; the kernel and the state directory are as before.
 */
public final class DryRun {
    /** The option's help. */
    public static final String HELP = "Print the change as the commands that make it (ip, sysctl, nft or iptables: the current backend's), a script "
            + "sh runs; change nothing.";

    /** What {@code -o json} prints: the commands, in order. */
    record Script(List<String> commands) {
    }

    private DryRun() {
    }

    private static final ThreadLocal<Boolean> ACTIVE = ThreadLocal.withInitial(() -> false);

    /**
     * Whether this thread runs a dry run's use case now: a plugin's {@code defaults} (given no context) then changes nothing
     * outside the host either (an overlay driver reads etcd but leases nothing). Since 0.3
     */
    public static boolean active() {
        return ACTIVE.get();
    }

    /** Runs {@code useCase} with the dry run's manager and state directory; returns the script. */
    static ShellScript run(NetworkManager m, Path stateDir, BiConsumer<NetworkManager, Path> useCase) {
        ShellScript script = new ShellScript();
        try (Scratch scratch = Scratch.of(stateDir); OverlayStack overlay = new OverlayStack(m.stack(), script)) {
            NetworkManager dry = m.rehearsal(overlay, m.firewall.rehearsal(script::line));
            dry.ipam = m.ipam == null ? null : new ScratchIpam(m.ipam, scratch.dir()); // an ipam.dir outside the state: copied too
            ACTIVE.set(true);
            try {
                Posted.quietly(() -> {
                    useCase.accept(dry, scratch.dir());
                    return null;
                });
            } finally {
                ACTIVE.remove();
            }
        }
        return script;
    }

    /**
     * {@link #run}, printed: the script (text) or its commands (JSON). Exit code 0. Other bundles' use cases (services) run
     * over the dry run's manager, its {@link NetworkManager#firewallManager()} and {@link NetworkManager#ipam()}.
     */
    public static int print(CliContext cli, NetworkManager m, BiConsumer<NetworkManager, Path> useCase) {
        ShellScript script = run(m, cli.stateDir(), useCase);
        cli.print(new Script(script.lines()), script::text);
        return 0;
    }
}
