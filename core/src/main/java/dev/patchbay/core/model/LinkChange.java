package dev.patchbay.core.model;

/** What {@code LinkOps.set} sets on a link; null leaves it as it is. {@code group}: link group (0: the default). @since 1.2 */
public record LinkChange(Boolean up, Boolean promisc, Boolean allmulti, Integer group) {
}
