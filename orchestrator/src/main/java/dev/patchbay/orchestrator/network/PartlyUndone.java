package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.PatchbayException;
import java.util.List;

/**
 * An operation that failed and could not undo all it had done (a full disk refusing the record of an undo, a link
 * that would not go): its own error, with its exit code, and in the same line the first thing left and that
 * {@code patchbay gc} finishes the undo (the journal entry stays for it). The cause is the operation's error. Public
 * for its {@link #exitCode}, which the launcher reads.
 */
public final class PartlyUndone extends PatchbayException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    private PartlyUndone(PatchbayException failure, List<Throwable> left) {
        super(failure.getMessage() + "; then " + left.get(0).getMessage()
                + (left.size() > 1 ? " (and " + (left.size() - 1) + " more)" : "") + ": patchbay gc finishes undoing it", failure);
        this.exitCode = failure.exitCode();
    }

    /** {@code failure} in these words when it is one of ours, else as it is; {@code left}: what was not undone (not empty). */
    static RuntimeException of(RuntimeException failure, List<Throwable> left) {
        return failure instanceof PatchbayException p ? new PartlyUndone(p, left) : failure;
    }

    @Override
    public int exitCode() {
        return exitCode;
    }
}
