package dev.patchbay.orchestrator.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * The orchestrator's counters for the daemon's metrics, counted where things happen (the kernel watch, plugin calls) and read at a scrape by {@link OrchestratorMetrics}. Static: they count for the bundle's life, as long as
 * the classes the counting code runs from (a bundle update starts them at 0, a reset Prometheus expects of a counter).
 * A LongAdder each: counting costs no allocation and no lock.
 */
public final class Tally {
    /** Bridges, links and addresses the kernel watch made again (one per line it logged). */
    public static final LongAdder LINK_REPAIRS = new LongAdder();
    /** Plugin calls that threw something other than a Patchbay error (a plugin's bug). */
    public static final LongAdder PLUGIN_CALLS_FAILED = new LongAdder();
    /** Plugin calls past their deadline. */
    public static final LongAdder PLUGIN_CALLS_TIMED_OUT = new LongAdder();

    private Tally() {
    }
}
