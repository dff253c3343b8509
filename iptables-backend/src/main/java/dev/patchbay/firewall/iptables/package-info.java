package dev.patchbay.firewall.iptables;
