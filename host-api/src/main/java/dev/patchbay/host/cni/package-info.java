/**
 * A CNI plugin call, as the launcher hands it to the bundle that serves CNI: the runtime ran {@code cni/<name>} (the
 * shim), which forwarded the call to the daemon or, with none, exec'd the launcher; either way the launcher makes a
 * {@link dev.patchbay.host.cni.CniInvocation} of it and calls the {@link dev.patchbay.host.cni.CniHandler} service that
 * serves first (Patchbay's own bundle before any other, then the highest service ranking). Exported by the system
 * bundle (the launcher's class path), so the launcher needs no bundle's types and a bundle no launcher's.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.patchbay.host.cni;
