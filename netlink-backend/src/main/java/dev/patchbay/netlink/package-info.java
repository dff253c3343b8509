package dev.patchbay.netlink;
