package dev.patchbay.bench;

import jdk.jfr.Category;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * One timed Patchbay operation as a JFR event, so that a recording of a benchmark run
 * ({@code -DargLine=-XX:StartFlightRecording=...}) can attribute its samples to the operation and the
 * container number (see BENCH.md, "Where the time goes"). Costs nothing when no recording runs.
 */
@Name("dev.patchbay.bench.Op")
@Label("Patchbay benchmark operation")
@Category("Patchbay")
final class BenchOp extends Event {
    @Label("Operation")
    String op;

    @Label("Container number")
    int container;

    static double timed(String op, int container, java.util.function.DoubleSupplier call) {
        BenchOp e = new BenchOp();
        e.op = op;
        e.container = container;
        e.begin();
        double ms = call.getAsDouble();
        e.commit();
        return ms;
    }
}
