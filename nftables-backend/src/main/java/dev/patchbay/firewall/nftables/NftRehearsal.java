package dev.patchbay.firewall.nftables;

import dev.patchbay.core.firewall.Firewall;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A dry run of the nftables backend in one host namespace: a copy of what table {@code inet patchbay} holds, read once,
 * changed by each call as {@link NftablesFirewall#apply} and {@link NftablesFirewall#remove} would change it, each call
 * answered with the one nft script they would send (as {@code nft -f -} reads it). The handles of rules a rehearsal adds
 * are counted as the kernel counts them in a table (one per map, chain and rule added), so a later step deleting them
 * names them as the kernel will.
 */
final class NftRehearsal implements Firewall.Rehearsal {
    private final NftState state;
    private long handle;

    NftRehearsal(String json) {
        this.state = NftState.parse(json);
        this.handle = state.rules.values().stream().flatMap(List::stream).mapToLong(NftState.RuleRef::handle).max().orElse(0);
        for (List<Long> hs : state.fixed.values()) {
            handle = Math.max(handle, hs.stream().mapToLong(Long::longValue).max().orElse(0));
        }
    }

    @Override
    public List<String> apply(Ruleset desired) {
        if (desired.rules().isEmpty()) {
            return remove(desired.owner());
        }
        NftPlan p = NftPlan.of(state, desired);
        if (p.isEmpty()) {
            return List.of();
        }
        String text = p.text();
        StringBuilder echo = new StringBuilder();
        if (p.createsSkeleton) {
            state.fixed.clear(); // made again whole: the fixed rules left are deleted first
        }
        for (String command : text.split("\n")) {
            String made = command.startsWith("add map ") || command.startsWith("add chain ")
                    ? command.substring(command.indexOf(NftRenderer.T) + NftRenderer.T.length() + 1).split(" ")[0] : null;
            if (made != null && !p.createsSkeleton && (state.maps.contains(made) || state.chains.contains(made))) {
                continue; // kept: no new handle
            }
            if (made != null || command.startsWith("add rule ") || command.startsWith("insert rule ")) {
                if (command.startsWith("add rule ") && (command.contains(" map { ") || command.contains(" th dport { "))) {
                    handle++; // an anonymous map or set (a service's backends) takes a handle before its rule
                }
                handle++;
                if ((command.startsWith("add rule ") || command.startsWith("insert rule ")) && command.contains(" comment \"")) {
                    echo.append(command).append(" # handle ").append(handle).append('\n');
                } else if (p.createsSkeleton && command.contains(" rule ")) {
                    state.fixed.computeIfAbsent(NftRenderer.chainOf(command), k -> new ArrayList<>()).add(handle);
                }
            }
        }
        p.commit(state, echo.toString());
        return List.of(script(text));
    }

    @Override
    public List<String> remove(RulesetOwner owner) {
        Set<String> others = new TreeSet<>(state.owners());
        others.remove(owner.id());
        List<String> cmds = NftablesFirewall.deletions(state, owner.id());
        if (others.isEmpty() && state.table) {
            boolean keep = state.userRules > 0;
            cmds = new ArrayList<>(keep ? cmds : List.of());
            cmds.addAll(NftRenderer.teardown(keep, state.chains, state.maps));
            if (keep) {
                state.chains.clear();
                state.chains.add(NftRenderer.USER_CHAIN);
            } else {
                state.table = false;
                state.chains.clear();
            }
            state.maps.clear();
            state.fixed.clear();
        }
        state.rules.remove(owner.id());
        state.maps.removeIf(m -> NftBalance.ownedBy(m, owner.id()));
        state.elementsOf(owner.id()).forEach(state::removeElement);
        return cmds.isEmpty() ? List.of() : List.of(script(NftPlan.script(cmds)));
    }

    /** An nft script as one shell command: {@code nft -f -} reading it from a here-document. */
    static String script(String text) {
        return "nft -f - <<'NFT'\n" + text + (text.endsWith("\n") ? "" : "\n") + "NFT";
    }
}
