package dev.patchbay.core.firewall;

import dev.patchbay.core.model.NetnsRef;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A firewall backend, registered with {@link #BACKEND}{@code =<name>} and a {@code service.ranking} (the highest-ranked
 * usable one is the default). Every operation names the "host" namespace whose firewall it changes. Backends touch only
 * what they own (their own chains or table), never foreign rules.
 */
@ProviderType
public interface Firewall {
    /** Service property naming the backend. */
    String BACKEND = "patchbay.firewall.backend";

    /** {@code nftables}, {@code iptables}, {@code none}. */
    String backend();

    /** A probe: the tools or library are there and the kernel accepts them in {@code host}. Never throws. */
    boolean usable(NetnsRef host);

    /** The exact text {@link #apply} sends for {@code desired} where Patchbay has nothing yet: pure, no kernel access (goldens). */
    String render(Ruleset desired);

    /** The exact text {@link #apply} would send now in {@code host}, given what is already there. */
    String plan(NetnsRef host, Ruleset desired);

    /**
     * Replaces everything {@code desired.owner()} has in {@code host} with {@code desired}, atomically, and puts back
     * whatever of the backend's own part (see {@link #drifted}) the kernel lacks.
     */
    void apply(NetnsRef host, Ruleset desired);

    /**
     * Removes every rule of {@code owner} in {@code host}; a no-op when it has none. When no owner is left, removes what
     * the backend created (chains, tables), keeping only a user hook chain the operator put rules in (a notice says so).
     */
    List<String> remove(NetnsRef host, RulesetOwner owner);

    /** The owners this backend holds rules for in {@code host}, read afresh from the kernel (a view the backend keeps is read again). */
    Set<RulesetOwner> owners(NetnsRef host);

    /**
     * The owners of {@code recorded} whose rules {@code host}'s kernel does not hold whole, read afresh; every one of them
     * when the backend's own part is incomplete (its tables, base chains, the jumps into its chains, its maps, fixed rules
     * such as the raw 127/8 drop). Applying each puts all of it back. By default: those {@link #owners} lacks.
     */
    default Set<RulesetOwner> drifted(NetnsRef host, Collection<Ruleset> recorded) {
        Set<RulesetOwner> held = owners(host);
        Set<RulesetOwner> out = new TreeSet<>();
        recorded.stream().filter(rs -> !rs.rules().isEmpty() && !held.contains(rs.owner())).forEach(rs -> out.add(rs.owner()));
        return out;
    }

    /** A dry run in {@code host}: each call says what this backend would run, planned after the calls before it; nothing changes. @since 3.0 */
    default Rehearsal rehearse(NetnsRef host) {
        throw new dev.patchbay.core.errors.UnavailableException("firewall backend \"" + backend() + "\" cannot rehearse a change");
    }

    /** One dry run's firewall ({@link #rehearse}): shell lines of the backend's own tools ({@code nft -f -}, {@code iptables}). @since 3.0 */
    interface Rehearsal {
        /** The lines that make {@code desired} all its owner has, as {@link #apply} would. */
        List<String> apply(Ruleset desired);

        /** The lines that remove every rule of {@code owner}, as {@link #remove} would. */
        List<String> remove(RulesetOwner owner);
    }

    /** What in {@code host} would defeat this backend's rules (another firewall's drop policy ...), for the operator; never throws. */
    default List<String> conflicts(NetnsRef host) {
        return List.of();
    }
}
