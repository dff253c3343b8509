package dev.patchbay.core.errors;

/** Bad input: names the field and the value that was refused, and why. Exit code 2 (usage). */
public class InvalidInputException extends PatchbayException {
    private static final long serialVersionUID = 1L;
    private final String field;
    private final String value;

    public InvalidInputException(String field, Object value, String problem) {
        super("invalid " + field + " \"" + value + "\": " + problem);
        this.field = field;
        this.value = String.valueOf(value);
    }

    public String field() {
        return field;
    }

    public String value() {
        return value;
    }

    @Override
    public int exitCode() {
        return 2;
    }
}
