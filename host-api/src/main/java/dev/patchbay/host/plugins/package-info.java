/**
 * The launcher's rules for plugins that bundles read too: which jars of the bundles folder may be loaded
 * ({@link dev.patchbay.host.plugins.JarTrust}). Exported by the system bundle (the launcher's class path), so the rule
 * the launcher enforces and the one {@code plugins ls} and {@code doctor} explain are one.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.patchbay.host.plugins;
