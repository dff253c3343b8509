/** The iptables firewall backend: chains named PATCHBAY-*, changed with iptables-restore --noflush (nft or legacy variant). */
package dev.patchbay.firewall.iptables;
