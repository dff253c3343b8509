package dev.patchbay.orchestrator.network;

import dev.patchbay.core.model.IfName;
import java.util.Objects;

/**
 * That an attachment was made by a CNI ADD, and by which: the call's container id and interface, and the identity of
 * the configuration (its network's name and the settings that define the network, digested). Kept beside the
 * attachment's record; CNI's DEL and GC act only on attachments that carry one (an attachment made with
 * {@code patchbay attach} is never theirs).
 *
 * @param key the attachment's id in Patchbay's records: the container id for the container's first interface on the
 *            network, {@code ID@IFNAME} for another one (CNI container ids hold no {@code @})
 */
public record CniOrigin(String containerId, IfName ifName, String config, String key) {
    public CniOrigin {
        Objects.requireNonNull(containerId, "containerId");
        Objects.requireNonNull(ifName, "ifName");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(key, "key");
    }

    /** Whether this is the origin of CNI's {@code containerId} as {@code ifName}. */
    public boolean is(String id, IfName name) {
        return containerId.equals(id) && ifName.equals(name);
    }
}
