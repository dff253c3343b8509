/**
 * Networks and attachments: the configuration an operator gives, the records Patchbay keeps, and the
 * {@link dev.patchbay.core.network.NetworkPlugin} contract that network drivers and chained plugins
 * implement. Plugins are found by their {@code patchbay.plugin.type} service property.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.1.0")
package dev.patchbay.core.network;
