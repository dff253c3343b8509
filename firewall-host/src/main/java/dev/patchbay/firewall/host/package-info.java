/**
 * The firewall host service: the one {@link dev.patchbay.core.firewall.Firewall} the rest of Patchbay talks to. It picks
 * the backend each host namespace uses (recorded, or the configured default), swaps it live with nothing left behind,
 * repairs rules that drifted, and serves {@code patchbay firewall}. The orchestrator applies every ruleset through it.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package dev.patchbay.firewall.host;
