package dev.patchbay.core.errors;

/** The object to create exists already. */
public class AlreadyExistsException extends PatchbayException {
    private static final long serialVersionUID = 1L;

    public AlreadyExistsException(String message) {
        super(message);
    }

    public AlreadyExistsException(String message, Throwable cause) {
        super(message, cause);
    }
}
