/** The typed exception hierarchy. Every exception carries the process exit code the CLI maps it to. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package dev.patchbay.core.errors;
