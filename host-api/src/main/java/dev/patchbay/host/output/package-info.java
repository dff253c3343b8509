/**
 * Helpers for a command's text output ({@link dev.patchbay.host.output.TextTable}: left-aligned columns), plain Java with
 * no dependency, shared by Patchbay's bundles and third parties'. Exported by the system bundle (the launcher's class path).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.patchbay.host.output;
