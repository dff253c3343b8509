package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.BackendException;
import java.nio.file.Path;

/**
 * A network's record ({@code networks/NAME.json}) cannot be read: one line naming the network, the file and what is
 * wrong, and what repairs it. It concerns that network only: every other network keeps working.
 */
public final class DamagedNetworkException extends BackendException {
    private static final long serialVersionUID = 1L;
    private final String network;
    private final transient Path file;
    private final String problem;

    DamagedNetworkException(String network, Path file, String problem) {
        super("network \"" + network + "\" cannot be used: its record \"" + file + "\" " + problem
                + "; run patchbay gc --repair to rebuild it from the kernel and the other records (or patchbay network rm --force "
                + network + " to remove what is left of it)");
        this.network = network;
        this.file = file;
        this.problem = problem;
    }

    public String network() {
        return network;
    }

    Path file() {
        return file;
    }

    /** What is wrong with the file, in words: {@code is empty (0 bytes)}. */
    public String problem() {
        return problem;
    }
}
