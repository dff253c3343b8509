package dev.patchbay.core.model;

/**
 * A link as the kernel reports it.
 *
 * @param kind        {@code bridge}, {@code veth}, ... or {@code null} for a plain device such as {@code lo}
 * @param masterIndex index of the bridge this link is a port of, or {@code null}
 * @param peerIndex   for a veth: the peer's index (in {@code peerNetnsId}'s namespace if set), or {@code null}
 * @param peerNetnsId the kernel's id (in this namespace) of the namespace holding the peer, or {@code null}
 */
public record Link(int index, IfName name, String kind, int mtu, MacAddress mac, boolean up, boolean lowerUp,
                   Integer masterIndex, Integer peerIndex, Integer peerNetnsId) {

    public LinkRef ref() {
        return LinkRef.index(index);
    }
}
