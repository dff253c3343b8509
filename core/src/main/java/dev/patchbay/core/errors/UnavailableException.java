package dev.patchbay.core.errors;

/**
 * The environment lacks something this operation needs: a bundle or service that is not installed,
 * a backend that is not usable on this machine, a missing kernel feature. Exit code 3.
 */
public class UnavailableException extends PatchbayException {
    private static final long serialVersionUID = 1L;

    public UnavailableException(String message) {
        super(message);
    }

    public UnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public int exitCode() {
        return 3;
    }
}
