/**
 * Networks and attachments: the configuration an operator gives, the records Patchbay keeps, and the
 * {@link dev.patchbay.core.network.NetworkDriver} contract network drivers (such as the bridge driver)
 * implement. Drivers are found by their {@code patchbay.network.driver} service property.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.patchbay.core.network;
