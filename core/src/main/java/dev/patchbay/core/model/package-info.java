/** Values of the domain: interface names, prefixes, namespace references, links, routes, queueing disciplines, port mappings. Immutable records, validated at construction. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package dev.patchbay.core.model;
