/**
 * Patchbay's own events, posted on OSGi Event Admin: {@link PatchbayEvents#post} at the commit points of the use
 * cases (a network created, a container attached, a repair), read by {@code patchbay events}. Exported for
 * Patchbay's own bundles that post; a third party may subscribe to the topics ({@link PatchbayEvents#TOPICS}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package dev.patchbay.events;
