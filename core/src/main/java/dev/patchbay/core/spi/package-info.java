/** Kernel-facing service contracts: a {@link dev.patchbay.core.spi.NetworkStack} opens a {@link dev.patchbay.core.spi.NetnsHandle} bound to one network namespace. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.2.0")
package dev.patchbay.core.spi;
