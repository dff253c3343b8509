package dev.patchbay.core.internal;
