/**
 * Networks and attachments: the operator's configuration, Patchbay's records, and the contract of drivers and chained
 * plugins, {@link dev.patchbay.core.network.NetworkPlugin}, found by their {@code patchbay.plugin.type} service property.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.4.0")
package dev.patchbay.core.network;
