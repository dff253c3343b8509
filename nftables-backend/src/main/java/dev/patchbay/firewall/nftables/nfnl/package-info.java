/**
 * nf_tables netlink messages, pure Java (no FFI, no socket): set-element batches and the kernel's
 * answers. Private to the nftables backend; the socket is
 * {@code NfnlChannel}, over sys-native's NetlinkFd.
 */
package dev.patchbay.firewall.nftables.nfnl;
