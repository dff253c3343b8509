package dev.patchbay.core.model;

/** A socket bound in a namespace: TCP listening or UDP not connected; {@code inode} as in /proc/net. @since 1.2 */
public record ListeningSocket(Protocol protocol, java.net.InetAddress address, int port, long inode) {
}
