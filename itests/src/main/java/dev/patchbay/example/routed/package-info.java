package dev.patchbay.example.routed;
