/**
 * The network lifecycle: networks and their records, attach and detach through the plugin chain, published ports, the
 * journal and recovery. Exported for Patchbay's own front ends that compose it (CNI, doctor); not a third-party API
 * (that is core's), so its version only says which of Patchbay's bundles go together.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.4.0")
package dev.patchbay.orchestrator.network;
