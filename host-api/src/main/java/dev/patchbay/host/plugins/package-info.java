/**
 * The launcher's rules for plugins that bundles read too: which jars of the bundles folder may be loaded
 * ({@link dev.patchbay.host.plugins.JarTrust}) and which of two providers of one name serves
 * ({@link dev.patchbay.host.plugins.Providers}), and the service properties of a command that the launcher reads
 * ({@link dev.patchbay.host.plugins.CommandProperties}). Exported by the system bundle (the launcher's class path), so the
 * rules the launcher enforces and the ones the orchestrator, {@code plugins ls} and {@code doctor} apply or explain are
 * one.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package dev.patchbay.host.plugins;
