package dev.patchbay.firewall.nftables;

import dev.patchbay.core.errors.BackendException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Carries out an apply or a removal. Without a netlink channel (no network stack, or one that
 * cannot open raw sockets) everything is one libnftables transaction, as before. With one, the
 * forward maps' elements go as one nf_tables netlink batch and the rest (skeleton, rules) as one
 * libnftables run: two kernel transactions, ordered so that the first can always be undone exactly,
 * and undone in reverse when the second fails (an owner is never left half applied or half removed):
 * <ul>
 * <li>a first apply (no table yet): skeleton + rules, then elements; undo: delete the table;</li>
 * <li>later applies: elements (deletions and additions), then rules; undo: the inverse element batch;</li>
 * <li>removals that leave other owners: element deletions, then rule deletions; undo: add the elements back.</li>
 * </ul>
 * A table without skeleton that exists anyway (the operator's kept user chain, or damage from
 * outside) is completed in one libnftables run. Both batches (forward and inverse) are encoded
 * before anything is sent. After a failure the remembered state is dropped, so the next call reads
 * the table again.
 */
final class NftSteps {
    private NftSteps() {
    }

    static void apply(NftContext c, NftState s, NftPlan p) {
        if (c.direct == null || !p.changesElements() || (p.createsSkeleton && s.table) || p.changesBackendMaps()) {
            p.commit(s, runRules(c, p, p.text()));
            return;
        }
        var forward = c.direct.prepare(p.removed, p.added);
        Map<String, List<NftState.RuleRef>> rules = Map.of();
        if (p.createsSkeleton) {
            rules = runRules(c, p, p.rulesText());
            try {
                c.direct.send(forward);
            } catch (RuntimeException e) {
                throw undone(c, e, "delete table " + NftRenderer.T + ", created by this apply",
                        () -> c.run("delete table " + NftRenderer.T + "\n", 0));
            }
        } else {
            var inverse = c.direct.prepare(p.added, p.removed);
            c.direct.send(forward);
            if (p.changesRules()) {
                try {
                    rules = runRules(c, p, p.rulesText());
                } catch (RuntimeException e) {
                    throw undone(c, e, "restore the map elements of \"" + p.owner + "\"", () -> c.direct.send(inverse));
                }
            }
        }
        p.commit(s, rules);
    }

    /**
     * Runs {@code text} (one transaction) and returns the handles of the plan owner's rules. With a netlink channel
     * they are read back in one dump of the table's rules: asked to echo, libnftables 1.0.6 first reads the whole
     * ruleset, every map's elements included, so each change would grow with the published ports and the services'
     * backends. Without one, libnftables echoes them.
     */
    private static Map<String, List<NftState.RuleRef>> runRules(NftContext c, NftPlan p, String text) {
        if (c.direct == null || p.flags() == 0) {
            return NftState.echoedRules(c.run(text, p.flags()).output());
        }
        c.run(text, 0);
        return c.direct.rulesOf(p.owner);
    }

    /** Deletes the rules and elements of {@code owner}; other owners stay. Updates {@code s}. */
    static void remove(NftContext c, NftState s, String owner) {
        List<NftRenderer.Element> elements = s.elementsOf(owner);
        List<String> rules = new ArrayList<>();
        s.rules.getOrDefault(owner, List.of()).forEach(r -> rules.add(NftPlan.deleteRule(r)));
        List<String> maps = NftBalance.deleteMaps(owner, s.maps, List.of());
        if (c.direct == null || elements.isEmpty() || elements.stream().anyMatch(e -> NftBalance.isBackendMap(e.map()))) {
            List<String> all = new ArrayList<>(rules);
            all.addAll(NftRenderer.deleteElements(elements));
            all.addAll(maps); // after their elements
            if (!all.isEmpty()) {
                c.run(NftPlan.script(all), 0);
            }
        } else {
            var forward = c.direct.prepare(elements, List.of());
            var inverse = c.direct.prepare(List.of(), elements);
            c.direct.send(forward);
            rules.addAll(maps);
            if (!rules.isEmpty()) {
                try {
                    c.run(NftPlan.script(rules), 0);
                } catch (RuntimeException e) {
                    throw undone(c, e, "restore the map elements of \"" + owner + "\"", () -> c.direct.send(inverse));
                }
            }
        }
        s.rules.remove(owner);
        s.maps.removeIf(m -> NftBalance.ownedBy(m, owner));
        elements.forEach(s::removeElement);
    }

    /** Runs {@code undo} after {@code failure}; a failing undo is attached to it. Returns {@code failure}. */
    private static RuntimeException undone(NftContext c, RuntimeException failure, String what, Runnable undo) {
        c.state = null;
        try {
            undo.run();
        } catch (RuntimeException u) {
            failure.addSuppressed(new BackendException("failed to " + what + " after the failure: " + u.getMessage(), u));
        }
        return failure;
    }
}
