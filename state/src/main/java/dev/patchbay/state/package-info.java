/**
 * Patchbay's state on disk: logs of JSON records written crash-safe (a record is whole or absent, a full disk leaves
 * the last good one), the locks that serialise writers across processes, the state directory's modes, its format
 * version and its upgrade, and the host settings of the configuration file. Used by the orchestrator and the firewall
 * host service; a bundle of its own so that both keep their records the same way.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.patchbay.state;
