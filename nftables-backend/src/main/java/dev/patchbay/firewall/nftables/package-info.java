package dev.patchbay.firewall.nftables;
