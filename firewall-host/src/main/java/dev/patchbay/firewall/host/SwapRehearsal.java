package dev.patchbay.firewall.host;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.state.Scratch;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code firewall backend NAME --dry-run}: the swap run over a copy of the state directory with every backend rehearsing
 * ({@link FirewallManager#rehearsal}), printed as the commands it would run, in order: every owner's rules on the new
 * backend, then the old one's removed. The kernel and the state directory stay as they were.
 */
final class SwapRehearsal {
    /** What {@code -o json} prints. */
    record Script(String from, String to, List<String> owners, List<String> commands) {
    }

    private SwapRehearsal() {
    }

    static int print(CliContext cli, FirewallManager manager, String name) {
        List<String> lines = new ArrayList<>();
        FirewallHost.Swap swap;
        try (Scratch scratch = Scratch.of(cli.stateDir())) {
            swap = manager.rehearsal((netns, line) -> lines.add(in(netns) + line)).host(scratch.dir(), cli.netns()).select(name, false);
        }
        swap.notices().forEach(n -> cli.err().println("notice: " + n)); // what would defeat the new backend, as the swap says it
        cli.err().flush();
        StringBuilder text = new StringBuilder("#!/bin/sh\nset -e\n");
        text.append(swap.changed() ? "# swap firewall backend " + (swap.from() == null ? "(none recorded)" : swap.from()) + " -> " + swap.to() + "\n"
                : "# firewall backend is already " + swap.to() + "\n");
        lines.forEach(l -> text.append(l).append('\n'));
        cli.print(new Script(swap.from(), swap.to(), swap.owners(), lines), text::toString);
        return 0;
    }

    /** How a command enters {@code netns}: nothing for the current one, {@code ip netns exec NAME }, or {@code nsenter --net=FILE }. */
    private static String in(NetnsRef netns) {
        if (netns instanceof NetnsRef.Current) {
            return "";
        }
        return netns instanceof NetnsRef.Named n ? "ip netns exec " + quote(n.name()) + " " : quote("--net=" + netns.path()).replaceFirst("^", "nsenter ") + " ";
    }

    private static String quote(String word) {
        return word.matches("[A-Za-z0-9_./:@%+=,-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
