package dev.patchbay.core.ipam;

import dev.patchbay.core.errors.PatchbayException;

/** No free address is left in a range set; the message names the range and how many addresses are in use. */
public class IpamExhaustedException extends PatchbayException {
    private static final long serialVersionUID = 1L;

    public IpamExhaustedException(String message) {
        super(message);
    }
}
