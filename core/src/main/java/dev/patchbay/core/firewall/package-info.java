/**
 * The declarative firewall: a {@link dev.patchbay.core.firewall.Ruleset} per owner (a network, an attachment) and the
 * {@link dev.patchbay.core.firewall.Firewall} SPI of the iptables and nftables backends. Plugins contribute
 * {@link dev.patchbay.core.firewall.Rule}s; the orchestrator picks a backend per host namespace, records and applies them.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("4.1.0")
package dev.patchbay.core.firewall;
