package dev.patchbay.firewall.host;

import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.NetnsRef;

import java.util.List;
import java.util.Map;

/** The firewall of one host namespace, as the {@link FirewallManager} keeps it. Each call is one locked step. */

public interface FirewallHost {

    /** One installed backend as seen from this namespace. */
    record BackendInfo(String name, int ranking, boolean usable, boolean current) {
    }

    /** What a backend swap did or would do. */
    record Swap(String from, String to, List<String> owners, boolean changed, List<String> notices) {
    }

    /** The backend in use here: the recorded one, else the one that would be chosen. */
    String backend();

    /** Every installed backend, best-ranked first, with whether it is usable here. */
    List<BackendInfo> backends();

    /**
     * Makes {@code name} the backend here: re-applies every owner's rules on it, then removes them from
     * the old one. With {@code dryRun}, only reports what would happen.
     */
    Swap select(String name, boolean dryRun);

    /**
     * Records and applies {@code desired}, replacing what its owner had: recorded first, so whatever the
     * kernel holds is recorded even after a crash; a failed apply puts the record back as it was.
     */
    void apply(Ruleset desired);

    /** The exact text {@link #apply} would send now. */
    String plan(Ruleset desired);

    /** Removes and forgets one owner's rules; idempotent, and without a backend call for an owner never recorded. Returns notices. */
    List<String> remove(RulesetOwner owner);

    /**
     * {@link #remove} for an owner that stays (an attachment whose last port is unpublished): if the record cannot be
     * changed after the kernel's rules were removed (a full disk), the kernel gets the recorded rules back, so the
     * failure changes nothing. (A plain remove leaves them out of the kernel and recorded, which an undo wants: gc
     * forgets them.)
     */
    List<String> removeOrRestore(RulesetOwner owner);

    /** What a drift repair did: the recorded backend (null: none recorded yet) and the owners it re-applied. */
    record Repair(String backend, List<RulesetOwner> owners) {
    }

    /**
     * Drift repair: compares the backend's whole footprint (its own part and every recorded owner's rules) with the
     * kernel and re-applies every owner not held whole (someone flushed a table, a chain, the ruleset).
     */
    Repair repair();

    /**
     * The first time this process touches this host's firewall (and when another process changed it since): a
     * {@link #repair}. Cheap afterwards: before every attach, detach and publish. Returns the owners it re-applied.
     */
    default List<RulesetOwner> verify() {
        return List.of();
    }

    /** The recorded owners whose rules the kernel does not hold whole (all of them when the backend's own part is incomplete), read afresh. */
    default java.util.Set<RulesetOwner> drifted() {
        return java.util.Set.of();
    }

    /** Every owner's recorded rules, by owner. */
    Map<RulesetOwner, Ruleset> rulesets();

    /** The owners the current backend holds rules for in the kernel (none when no backend was ever used here). */
    default java.util.Set<RulesetOwner> present() {
        return java.util.Set.of();
    }

    /** What cannot be read of this host's record, one line each naming the file and the line; empty when whole. */
    default List<String> damage() {
        return List.of();
    }

    /** Rewrites a damaged record from its readable lines, keeping the damaged file beside it; the copy, or null. */
    default java.nio.file.Path repairRecord() {
        return null;
    }

    /**
     * Removes every owner whose id {@code ids} accepts, recorded or only held by the backend in the kernel (a record
     * lost to damage): e.g. everything of a network being removed. Returns notices.
     */
    default List<String> removeOwners(java.util.function.Predicate<String> ids) {
        List<String> notices = new java.util.ArrayList<>();
        for (RulesetOwner o : rulesets().keySet()) {
            if (ids.test(o.id())) {
                notices.addAll(remove(o));
            }
        }
        return notices;
    }
}
