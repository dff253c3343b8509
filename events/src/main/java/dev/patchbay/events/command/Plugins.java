package dev.patchbay.events.command;

import java.time.Instant;
import org.osgi.framework.BundleEvent;

/** Bundles installed into and removed from the framework (a plugin dropped into bundles/, or taken out) as {@link Line}s. */
final class Plugins {
    static final String INSTALLED = "plugin-installed";
    static final String REMOVED = "plugin-removed";

    private Plugins() {
    }

    /** The line of a bundle event, or null for the other kinds (started, resolved, ...). */
    static Line line(int kind, String symbolicName, String version, Instant at) {
        String type = kind == BundleEvent.INSTALLED ? INSTALLED : kind == BundleEvent.UNINSTALLED ? REMOVED : null;
        return type == null ? null : new Line(at, Line.PATCHBAY, type, null, null, null, symbolicName + " " + version);
    }
}
