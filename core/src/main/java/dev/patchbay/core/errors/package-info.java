/** The typed exception hierarchy. Every exception carries the process exit code the CLI maps it to. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.patchbay.core.errors;
