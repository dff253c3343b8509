package dev.patchbay.firewall.host;

import dev.patchbay.events.PatchbayEvents;

/**
 * The firewall host's event (a backend swapped), posted through {@link PatchbayEvents} when the events bundle is
 * there: its package is imported with {@code resolution:=optional}, and without it posting does nothing (the first
 * call finds the class missing and every later one skips it).
 */
final class Posted {
    private static volatile boolean absent;

    private Posted() {
    }

    static void backendSwapped(String detail) {
        if (absent) {
            return;
        }
        try {
            PatchbayEvents.post(PatchbayEvents.BACKEND_SWAPPED, null, null, detail);
        } catch (NoClassDefFoundError e) {
            absent = true;
        }
    }
}
