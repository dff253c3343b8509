package dev.patchbay.state;

import dev.patchbay.core.errors.BackendException;
import java.nio.file.Path;

/**
 * A state file of a format newer than this build reads ({@link StateFormat}): written by a newer Patchbay. Not damage:
 * nothing reads it in part, repairs it or sets it aside; the command fails naming the file and both formats (exit 1).
 */
public final class NewerStateException extends BackendException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;
    private final String format;

    NewerStateException(Path file, String format) {
        super("state file \"" + file + "\" has format " + format + ", written by a newer Patchbay (this one reads formats up to "
                + StateFormat.CURRENT + "): upgrade Patchbay, or restore the state folder as this version left it");
        this.file = file;
        this.format = format;
    }

    public Path file() {
        return file;
    }

    /** The format the file declares. */
    public String format() {
        return format;
    }
}
