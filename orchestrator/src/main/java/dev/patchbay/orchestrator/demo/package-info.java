package dev.patchbay.orchestrator.demo;
