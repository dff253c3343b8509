package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.ErrorCollector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * The undo steps of a use case under way: each step done pushes what undoes it; on failure they run in reverse, each
 * one whatever the others did (teardown keeps going). A step that frees what the others' objects may name (addresses)
 * is pushed with {@link #pushRelease}: it runs only when nothing above it was left, so a link or rule that still names
 * an address never outlives its reservation; what is left is for {@code gc}.
 */
final class Undo {
    private record Step(String what, Consumer<ErrorCollector> action, boolean release) {
    }

    private final Deque<Step> steps = new ArrayDeque<>();
    private final ErrorCollector errors = new ErrorCollector();

    /** Undoes with one action, its failure named "failed to {@code what}". */
    void push(String what, Runnable action) {
        steps.push(new Step(what, c -> c.run(what, action), false));
    }

    /** Undoes with a teardown that reports its own failures (and keeps going). */
    void pushTeardown(Consumer<ErrorCollector> teardown) {
        steps.push(new Step(null, teardown, false));
    }

    /** Frees what others may name: run only if every step above it was undone. */
    void pushRelease(String what, Runnable action) {
        steps.push(new Step(what, c -> c.run(what, action), true));
    }

    /**
     * Runs the steps in reverse after {@code failure}; returns what could not be undone (with what the failing step
     * itself could not undo, its suppressed exceptions), empty when all was.
     */
    List<Throwable> run(RuntimeException failure) {
        List<Throwable> left = new ArrayList<>(List.of(failure.getSuppressed()));
        while (!steps.isEmpty()) {
            Step s = steps.pop();
            if (s.release() && !(left.isEmpty() && errors.isEmpty())) {
                continue; // something may still name what it frees
            }
            s.action().accept(errors);
        }
        left.addAll(0, errors.errors());
        return left;
    }

    /** {@code failure} with what could not be undone added as suppressed. */
    <T extends Throwable> T attachTo(T failure) {
        return errors.attachTo(failure);
    }
}
