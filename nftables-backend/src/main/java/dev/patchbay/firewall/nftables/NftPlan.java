package dev.patchbay.firewall.nftables;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.sys.Nftables;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What one apply changes, computed from the remembered state (pure), and how it changes that state. */
final class NftPlan {
    final String owner;
    /** The table has no skeleton yet, or not all of it: this apply creates it, or puts it back. */
    final boolean createsSkeleton;
    /** The commands that make the skeleton: all of it into no table, what is missing into one that exists. */
    private List<String> skeleton = List.of();
    /** {@code delete rule} for the owner's old rules. */
    final List<String> ruleDeletes = new ArrayList<>();
    /** {@code delete map} for its old affinity maps, after its old rules. */
    final List<String> mapDeletes = new ArrayList<>();
    /** What its new rules need made first: the affinity chain and maps ({@link NftBalance#objects}). */
    List<String> objects = List.of();
    /** {@code add rule} for its new ones. */
    final List<String> ruleAdds;
    final List<NftRenderer.Element> removed = new ArrayList<>();
    final List<NftRenderer.Element> added = new ArrayList<>();

    private NftPlan(String owner, boolean createsSkeleton, List<String> ruleAdds) {
        this.owner = owner;
        this.createsSkeleton = createsSkeleton;
        this.ruleAdds = ruleAdds;
    }

    /**
     * Plans {@code desired} against {@code s}. A port another owner publishes is refused here,
     * before anything is sent.
     */
    static NftPlan of(NftState s, Ruleset desired) {
        String owner = desired.owner().id();
        List<NftRenderer.Element> want = NftBalance.keepSlots(NftRenderer.elements(desired), s.elementsOf(owner));
        for (NftRenderer.Element e : want) {
            NftRenderer.Element held = s.elements.get(NftState.id(e));
            if (held != null && !held.owner().equals(owner)) {
                throw new AlreadyExistsException("failed to publish \"" + e.key() + "\" in map " + e.map() + ": it is published by \""
                        + held.owner() + "\"");
            }
        }
        NftPlan p = new NftPlan(owner, !s.whole(), NftRenderer.rules(desired));
        if (p.createsSkeleton) {
            p.skeleton = s.table ? NftRenderer.restoreSkeleton(s.fixed) : NftRenderer.skeleton();
        }
        for (NftState.RuleRef r : s.rules.getOrDefault(owner, List.of())) {
            p.ruleDeletes.add(deleteRule(r));
        }
        p.objects = NftBalance.objects(desired);
        p.mapDeletes.addAll(NftBalance.deleteMaps(owner, s.maps, NftBalance.names(p.objects).stream().filter(NftBalance::isBackendMap).toList()));
        Map<String, NftRenderer.Element> wanted = new HashMap<>();
        want.forEach(e -> wanted.put(NftState.id(e), e));
        Set<String> kept = new LinkedHashSet<>();
        for (NftRenderer.Element old : s.elementsOf(owner)) {
            NftRenderer.Element w = wanted.get(NftState.id(old));
            if (w == null || !w.value().equals(old.value())) {
                p.removed.add(old);
            } else {
                kept.add(NftState.id(old));
            }
        }
        for (NftRenderer.Element e : want) {
            if (!kept.contains(NftState.id(e))) {
                p.added.add(e);
            }
        }
        return p;
    }

    static String deleteRule(NftState.RuleRef r) {
        return "delete rule " + NftRenderer.T + " " + r.chain() + " handle " + r.handle();
    }

    boolean isEmpty() {
        return !createsSkeleton && !changesRules() && !changesElements();
    }

    boolean changesRules() {
        return !ruleDeletes.isEmpty() || !ruleAdds.isEmpty() || !mapDeletes.isEmpty() || !objects.isEmpty();
    }

    boolean changesElements() {
        return !removed.isEmpty() || !added.isEmpty();
    }

    /** Whether a service's backends' map changes: those elements go with the rules, in one libnftables transaction. */
    boolean changesBackendMaps() {
        return removed.stream().anyMatch(e -> NftBalance.isBackendMap(e.map())) || added.stream().anyMatch(e -> NftBalance.isBackendMap(e.map()));
    }

    /** Output flags for the libnftables run that adds the rules: echo their handles. */
    int flags() {
        return !ruleAdds.isEmpty() ? Nftables.OUTPUT_ECHO | Nftables.OUTPUT_HANDLE : 0;
    }

    /** The whole plan as one nft script (one transaction): what {@code plan} shows, and the path without netlink. */
    String text() {
        List<String> c = new ArrayList<>();
        c.addAll(skeleton);
        c.addAll(ruleDeletes);
        c.addAll(NftRenderer.deleteElements(removed));
        c.addAll(mapDeletes);
        c.addAll(objects);
        c.addAll(ruleAdds);
        c.addAll(NftRenderer.addElements(added));
        return script(c);
    }

    /** The skeleton (if this plan creates it) and the rule commands, without elements. */
    String rulesText() {
        List<String> c = new ArrayList<>();
        c.addAll(skeleton);
        c.addAll(ruleDeletes);
        c.addAll(mapDeletes);
        c.addAll(objects);
        c.addAll(ruleAdds);
        return script(c);
    }

    static String script(List<String> commands) {
        return commands.isEmpty() ? "" : String.join("\n", commands) + "\n";
    }

    /** Records a successful apply in {@code s}; {@code echo} is what the rule run printed. */
    void commit(NftState s, String echo) {
        commit(s, NftState.echoedRules(echo));
    }

    /** Records a successful apply in {@code s}; {@code rules}: the owner's rules in the table now, with their handles. */
    void commit(NftState s, java.util.Map<String, List<NftState.RuleRef>> rules) {
        if (createsSkeleton) {
            s.table = true;
            s.chains.addAll(NftRenderer.CHAINS);
            s.chains.add(NftRenderer.USER_CHAIN);
            s.maps.addAll(NftRenderer.MAPS);
        }
        s.rules.remove(owner);
        s.rules.putAll(rules);
        s.maps.removeIf(m -> NftBalance.ownedBy(m, owner));
        for (String o : objects) {
            String name = o.substring(o.indexOf(NftRenderer.T) + NftRenderer.T.length() + 1).split(" ")[0];
            (o.startsWith("add map ") ? s.maps : s.chains).add(name);
        }
        removed.forEach(s::removeElement);
        added.forEach(s::addElement);
    }
}
