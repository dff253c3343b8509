package dev.patchbay.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The state directory is root's only: folders 0700, files 0600. Whatever another user could open they could read,
 * or lock and so stall root. What an older Patchbay made 0755/0644 is narrowed when a writer first meets it.
 * For every writer of the state directory: create with {@link #DIR}/{@link #FILE}, or {@link #narrow} after.
 */
public final class Modes {
    public static final FileAttribute<Set<PosixFilePermission>> DIR = PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx------"));
    public static final FileAttribute<Set<PosixFilePermission>> FILE = PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rw-------"));
    private static final Set<PosixFilePermission> OWNER = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private Modes() {
    }

    /** Creates {@code dir} and its missing parents 0700 (a stat when it exists). */
    public static void createDirectories(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, DIR);
        }
    }

    /** Takes group and other bits off {@code p} (a stat; a chmod only if needed). Best effort: not ours, no POSIX. */
    public static void narrow(Path p) {
        try {
            Set<PosixFilePermission> now = Files.getPosixFilePermissions(p);
            if (!OWNER.containsAll(now)) {
                now.retainAll(OWNER);
                Files.setPosixFilePermissions(p, now);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // gone meanwhile, another owner's, or a file system without POSIX modes: nothing to narrow here
        }
    }
}
