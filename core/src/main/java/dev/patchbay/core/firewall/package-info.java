/**
 * The declarative firewall: a {@link dev.patchbay.core.firewall.Ruleset} per owner (a network, an
 * attachment), the {@link dev.patchbay.core.firewall.Firewall} SPI the iptables and nftables backends
 * implement, and the {@link dev.patchbay.core.firewall.FirewallManager} that picks a backend per host
 * namespace, records each owner's rules in state and swaps backends live.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.patchbay.core.firewall;
