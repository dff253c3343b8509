/**
 * IP address management: the {@link dev.patchbay.core.ipam.Ipam} service hands out addresses from the ranges of
 * an {@link dev.patchbay.core.ipam.IpamConfig} (CNI host-local semantics) and remembers them in a data directory.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.1.0")
package dev.patchbay.core.ipam;
