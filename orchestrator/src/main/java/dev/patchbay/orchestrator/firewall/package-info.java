/** Firewall backend selection, swap and state; the {@code patchbay firewall} command. Private. */
package dev.patchbay.orchestrator.firewall;
