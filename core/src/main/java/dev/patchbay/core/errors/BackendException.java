package dev.patchbay.core.errors;

/** A backend (netlink, iptables, nftables, a store on disk) failed; the cause is chained. */
public class BackendException extends PatchbayException {
    private static final long serialVersionUID = 1L;

    public BackendException(String message) {
        super(message);
    }

    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
