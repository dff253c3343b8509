package dev.patchbay.plugin.nat;
