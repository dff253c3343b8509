package dev.patchbay.plugin.bridge;
