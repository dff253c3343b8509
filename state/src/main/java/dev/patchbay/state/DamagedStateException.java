package dev.patchbay.state;

import dev.patchbay.core.errors.BackendException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A state log holds lines that cannot be read: one line naming the file, each damaged line's number and what is wrong.
 * It concerns that file only (one network's attachments or journal, one host namespace's firewall log): catch it
 * per file. The view that threw still holds every readable line; {@link StateLog#repair} rewrites the log from them.
 */
public final class DamagedStateException extends BackendException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;
    private final transient List<StateLog.Damage> damage;

    DamagedStateException(Path file, List<StateLog.Damage> damage) {
        super("state file \"" + file + "\" is damaged: " + damage.stream().map(StateLog.Damage::what)
                .collect(Collectors.joining("; ")));
        this.file = file;
        this.damage = List.copyOf(damage);
    }

    public Path file() {
        return file;
    }

    public List<StateLog.Damage> damage() {
        return damage;
    }
}
