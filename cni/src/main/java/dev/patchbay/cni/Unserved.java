package dev.patchbay.cni;

/**
 * A configuration Patchbay does not serve as the type it names (e.g. a bridge whose IPAM is not host-local): the call
 * goes to the next plugin of that type on CNI_PATH ({@link FallThrough}); with none, it is code 2 naming the field.
 */
final class Unserved extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String field;

    Unserved(String field, String why) {
        super(why);
        this.field = field;
    }

    String field() {
        return field;
    }
}
