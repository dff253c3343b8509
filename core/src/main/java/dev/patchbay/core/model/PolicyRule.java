package dev.patchbay.core.model;

/**
 * A routing policy rule ({@code ip rule}). {@code null} selectors match anything.
 *
 * @param table    the table to look up, e.g. 254 for main
 */
public record PolicyRule(Family family, Integer priority, IpPrefix from, IpPrefix to, IfName iif, int table) {
}
