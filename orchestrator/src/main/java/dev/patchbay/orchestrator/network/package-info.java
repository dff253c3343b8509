package dev.patchbay.orchestrator.network;
