/** CLI contribution: bundles register {@link dev.patchbay.core.command.PatchbayCommand} services with the {@code patchbay.command.name} property; the launcher mounts them under {@code patchbay}. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package dev.patchbay.core.command;
