package dev.patchbay.core.errors;

/** The kernel or a tool refused for lack of privilege (EPERM, EACCES, no CAP_NET_ADMIN). Exit code 3. */
public class NotPermittedException extends PatchbayException {
    private static final long serialVersionUID = 1L;

    public NotPermittedException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public int exitCode() {
        return 3;
    }
}
