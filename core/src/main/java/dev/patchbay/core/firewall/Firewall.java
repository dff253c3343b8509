package dev.patchbay.core.firewall;

import dev.patchbay.core.model.NetnsRef;
import java.util.List;
import java.util.Set;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A firewall backend. Registered as a service with {@link #BACKEND}{@code =<name>} and a
 * {@code service.ranking} (the highest-ranked usable one is the default). Every operation is addressed
 * to the "host" namespace whose firewall it changes. Backends touch only what they own (their own
 * chains or table); never foreign rules.
 */
@ProviderType
public interface Firewall {
    /** Service property naming the backend. */
    String BACKEND = "patchbay.firewall.backend";

    /** {@code nftables}, {@code iptables}, {@code none}. */
    String backend();

    /** A probe: the tools or library are there and the kernel accepts them in {@code host}. Never throws. */
    boolean usable(NetnsRef host);

    /**
     * The exact text {@link #apply} sends for {@code desired} into a namespace where Patchbay has nothing
     * yet: pure, no kernel access (the golden-test surface).
     */
    String render(Ruleset desired);

    /** The exact text {@link #apply} would send now in {@code host}, given what is already there. */
    String plan(NetnsRef host, Ruleset desired);

    /** Replaces everything {@code desired.owner()} has in {@code host} with {@code desired}, atomically. */
    void apply(NetnsRef host, Ruleset desired);

    /**
     * Removes every rule of {@code owner} in {@code host}; a no-op when it has none. When no owner is
     * left, removes what the backend created (chains, table), keeping only a user hook chain the
     * operator put rules in; a notice says so.
     *
     * @return notices for the operator (may be empty)
     */
    List<String> remove(NetnsRef host, RulesetOwner owner);

    /** The owners this backend holds rules for in {@code host}, read from the kernel. */
    Set<RulesetOwner> owners(NetnsRef host);

    /**
     * What in {@code host} would defeat this backend's rules, for the operator: e.g. another firewall's
     * drop policy that this backend's accepts cannot override. Read-only; never throws. Empty: none.
     */
    default List<String> conflicts(NetnsRef host) {
        return List.of();
    }
}
