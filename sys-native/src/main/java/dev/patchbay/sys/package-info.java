/**
 * The C calls of Patchbay's bundles, through libpatchbay-sys (JNI, built from src/main/c with the bundle):
 * {@link dev.patchbay.sys.LibC} (sockets, namespaces, mounts, flock), {@link dev.patchbay.sys.NetlinkFd} (a netlink socket
 * of any protocol; since 1.2) and
 * {@link dev.patchbay.sys.Nftables} (libnftables, opened on first use). Exported for the other bundles that
 * call C (nftables-backend, plugins-ipam): one library per process.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package dev.patchbay.sys;
