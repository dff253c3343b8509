package dev.patchbay.events;

import java.util.HashMap;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Posts one of Patchbay's own events on the framework's Event Admin ({@code postEvent}: the poster never waits for a
 * subscriber; Event Admin delivers a thread's events in the order posted). The topic is {@value #PREFIX} + the type
 * ({@code dev/patchbay/attached}); the properties are {@value #TYPE}, {@value #TIME} (epoch milliseconds, taken when
 * posted) and, when known, {@value #NETWORK}, {@value #CONTAINER} and {@value #DETAIL}. Without a framework (unit
 * tests) or without Event Admin, posting does nothing.
 */
public final class PatchbayEvents {
    /** The prefix of every topic. */
    public static final String PREFIX = "dev/patchbay/";
    /** What a handler subscribes to for all of them. */
    public static final String TOPICS = PREFIX + "*";
    public static final String TYPE = "type";
    public static final String TIME = "time";
    public static final String NETWORK = "network";
    public static final String CONTAINER = "container";
    public static final String DETAIL = "detail";

    /** The types posted (besides the kernel's, which {@code patchbay events} reads itself). */
    public static final String NETWORK_CREATED = "network-created";
    public static final String NETWORK_REMOVED = "network-removed";
    public static final String ATTACHED = "attached";
    public static final String DETACHED = "detached";
    public static final String PUBLISHED = "published";
    public static final String UNPUBLISHED = "unpublished";
    public static final String REPAIRED = "repaired";
    public static final String BACKEND_SWAPPED = "backend-swapped";
    /** A network's health changed as a repair saw it ({@code ok -> missing: WHAT}, {@code missing -> ok}). @since 1.1 */
    public static final String HEALTH_CHANGED = "health-changed";
    /** A service's backend failed its health checks and gets no new connection; {@code detail}: which, how often. @since 1.2 */
    public static final String SERVICE_BACKEND_DOWN = "service-backend-down";
    /** A service's backend answers its health checks again. @since 1.2 */
    public static final String SERVICE_BACKEND_UP = "service-backend-up";

    private static ServiceTracker<EventAdmin, EventAdmin> tracker;

    private PatchbayEvents() {
    }

    /** Posts an event of {@code type}; {@code network}, {@code container}, {@code detail} may be null. Never throws. */
    public static void post(String type, String network, String container, String detail) {
        try {
            EventAdmin admin = admin();
            if (admin == null) {
                return;
            }
            Map<String, Object> p = new HashMap<>();
            p.put(TYPE, type);
            p.put(TIME, System.currentTimeMillis());
            if (network != null) {
                p.put(NETWORK, network);
            }
            if (container != null) {
                p.put(CONTAINER, container);
            }
            if (detail != null) {
                p.put(DETAIL, detail);
            }
            admin.postEvent(new Event(PREFIX + type, p));
        } catch (RuntimeException | LinkageError e) {
            // an event is never worth failing the change it reports
        }
    }

    /** The Event Admin, tracked through this bundle's context (again after the bundle was restarted). */
    private static synchronized EventAdmin admin() {
        Bundle b = FrameworkUtil.getBundle(PatchbayEvents.class);
        BundleContext ctx = b == null ? null : b.getBundleContext();
        if (ctx == null) {
            return null;
        }
        if (tracker == null || trackedBy != ctx) {
            if (tracker != null) {
                try {
                    tracker.close();
                } catch (IllegalStateException stale) {
                    // the bundle's earlier context
                }
            }
            tracker = new ServiceTracker<>(ctx, EventAdmin.class, null);
            tracker.open();
            trackedBy = ctx;
        }
        return tracker.getService();
    }

    private static BundleContext trackedBy;
}
