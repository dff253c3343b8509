package dev.patchbay.firewall.host;

import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.NetnsRef;
import java.nio.file.Path;

/**
 * The one place firewall rules go through: picks the backend of each host namespace, records every
 * owner's desired rules in the state directory and swaps backends live. A service; the network code
 * calls {@code host(stateDir, netns).apply(ruleset)} and {@code .remove(owner)}.
 */

public interface FirewallManager {

    /** Environment variable that names the backend to use when none is recorded yet. */
    String ENV = "PATCHBAY_FW";

    /** The firewall of {@code netns}, its state kept under {@code stateDir}. */
    FirewallHost host(Path stateDir, NetnsRef netns);

    /**
     * Forgets what the state records of owners {@code ids} accepts in the host namespace of identity {@code identity}
     * (as {@link dev.patchbay.core.spi.NetworkStack#identity} writes it), which is gone: nothing of it is in any kernel.
     * The record is deleted once it holds no owner.
     */
    /**
     * For a dry run: a manager whose hosts (give them a copy of the state directory: their records are written) change
     * no kernel; where a backend would, each command it would run goes to {@code out} with the host namespace it runs in,
     * and no event is posted.
     */
    default FirewallManager rehearsal(java.util.function.BiConsumer<NetnsRef, String> out) {
        throw new dev.patchbay.core.errors.UnavailableException("this firewall manager cannot rehearse a change");
    }

    default void forgetGone(Path stateDir, String identity, java.util.function.Predicate<String> ids) {
    }
}
