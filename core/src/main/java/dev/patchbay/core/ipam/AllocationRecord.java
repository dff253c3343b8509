package dev.patchbay.core.ipam;

import java.net.InetAddress;

/**
 * One reserved address as stored: its owner and interface. {@code ownerId} is null when the record could not be
 * read (an empty or damaged file); {@code ifName} is null when the record names no interface (older host-local).
 */
public record AllocationRecord(String network, InetAddress address, String ownerId, String ifName) {
}
