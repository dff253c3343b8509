package dev.patchbay.core.internal.network;
