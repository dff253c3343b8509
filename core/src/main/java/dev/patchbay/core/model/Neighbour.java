package dev.patchbay.core.model;

import java.net.InetAddress;

/** A neighbour (ARP/NDP) entry; {@code permanent} is what {@code arp -s} makes. */
public record Neighbour(InetAddress address, MacAddress mac, IfName device, boolean permanent) {
}
