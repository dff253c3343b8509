package dev.patchbay.core.errors;

/** An object that was asked for does not exist, e.g. {@code link "veth9" not found in namespace "red"}. */
public class NotFoundException extends PatchbayException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(message);
    }

    public NotFoundException(String message, Throwable cause) {
        super(message, cause);
    }

    public static NotFoundException of(String kind, Object name, String where) {
        return new NotFoundException(kind + " \"" + name + "\" not found" + (where == null ? "" : " in " + where));
    }
}
