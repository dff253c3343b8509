/**
 * nf_tables netlink messages, pure Java (no FFI, no socket): set-element batches and the kernel's
 * answers. Private to the nftables backend; the socket comes from the core's
 * {@link dev.patchbay.core.spi.NetlinkChannel}.
 */
package dev.patchbay.firewall.nftables.nfnl;
