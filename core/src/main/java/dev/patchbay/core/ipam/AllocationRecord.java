package dev.patchbay.core.ipam;

import java.net.InetAddress;

/**
 * One reserved address as stored: its owner and interface. {@code ifName} is null when the record names no interface
 * (older host-local). {@code problem} says in words why the record could not be read ("is empty", "is not UTF-8
 * text", ...); {@code ownerId} is then null. Such a reservation is kept: never handed out, never freed by GC.
 */
public record AllocationRecord(String network, InetAddress address, String ownerId, String ifName, String problem) {
    public AllocationRecord {
        problem = ownerId != null ? null : problem != null ? problem : "names no owner";
    }

    public AllocationRecord(String network, InetAddress address, String ownerId, String ifName) {
        this(network, address, ownerId, ifName, null);
    }

    public boolean readable() {
        return problem == null;
    }
}
