package dev.patchbay.core.errors;

import java.util.ArrayList;
import java.util.List;

/**
 * Teardown keeps going: each step runs, failures are collected and reported together at the end. A step that finds its
 * object gone ({@link NotFoundException}) has nothing to undo and counts as done.
 */
public final class ErrorCollector {
    private final List<PatchbayException> errors = new ArrayList<>();

    /** Runs one step; records its failure instead of throwing. */
    public void run(String step, Runnable action) {
        try {
            action.run();
        } catch (NotFoundException gone) {
            // already gone: nothing to undo
        } catch (PatchbayException e) {
            errors.add(new PatchbayException("failed to " + step + ": " + e.getMessage(), e));
        } catch (RuntimeException e) {
            errors.add(new PatchbayException("failed to " + step + ": " + e, e));
        }
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    public List<PatchbayException> errors() {
        return List.copyOf(errors);
    }

    /** Adds every collected failure to {@code primary} as suppressed, e.g. rollback failures to the original error. */
    public <T extends Throwable> T attachTo(T primary) {
        errors.forEach(primary::addSuppressed);
        return primary;
    }

    /** Throws one exception naming every failure, if there was any. */
    public void throwIfAny(String what) {
        if (errors.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder(what).append(": ").append(errors.size()).append(errors.size() == 1 ? " error" : " errors");
        errors.forEach(e -> sb.append("; ").append(e.getMessage()));
        PatchbayException all = new PatchbayException(sb.toString(), errors.get(0));
        errors.stream().skip(1).forEach(all::addSuppressed);
        throw all;
    }
}
