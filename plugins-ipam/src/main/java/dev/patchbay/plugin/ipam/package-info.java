package dev.patchbay.plugin.ipam;
