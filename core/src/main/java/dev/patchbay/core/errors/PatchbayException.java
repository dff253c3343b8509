package dev.patchbay.core.errors;

/**
 * Base of every failure Patchbay reports. The message is one line meant for an operator:
 * {@code failed to <verb> <object> "<name>": <cause>}; the cause is always chained.
 */
public class PatchbayException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PatchbayException(String message) {
        super(message);
    }

    public PatchbayException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The exit code the CLI ends with: 1 failure, 2 usage, 3 environment. */
    public int exitCode() {
        return 1;
    }
}
