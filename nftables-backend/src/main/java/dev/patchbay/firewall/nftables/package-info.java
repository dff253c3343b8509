/** The nftables firewall backend: one table, {@code inet patchbay}, driven in process through libnftables. */
package dev.patchbay.firewall.nftables;
