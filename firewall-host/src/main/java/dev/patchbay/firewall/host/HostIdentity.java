package dev.patchbay.firewall.host;

import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.model.NetnsId;
import dev.patchbay.core.model.NetnsRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Names a host namespace's firewall log. */
final class HostIdentity {
    private HostIdentity() {
    }

    /**
     * The host's identity for its log ({@code BOOTID/COOKIE} from the stack, so a later namespace that gets the
     * same inode never inherits this one's backend and owners). A log kept under the {@code DEV:INO} name of an
     * earlier release is adopted once, by renaming it.
     */
    static String of(dev.patchbay.core.spi.NetworkStack stack, Path stateDir, NetnsRef netns, boolean write) {
        NetnsId id = stack != null ? stack.identity(netns) : devIno(netns);
        String name = id.toString();
        if (id.bootId() != null) {
            Path log = HostLog.file(stateDir, name);
            Path old = HostLog.file(stateDir, id.dev() + ":" + id.ino());
            if (!write && !Files.exists(log) && Files.exists(old)) {
                return id.dev() + ":" + id.ino(); // read where it is: a reader renames nothing
            }
            if (write && !Files.exists(log) && Files.exists(old)) {
                try {
                    Files.move(old, log, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    throw new BackendException("failed to adopt firewall state \"" + old + "\": " + e.getMessage(), e);
                }
            }
        }
        return name;
    }

    private static NetnsId devIno(NetnsRef netns) {
        try {
            Map<String, Object> a = Files.readAttributes(netns.path(), "unix:dev,ino");
            return new NetnsId(null, 0, (Long) a.get("dev"), (Long) a.get("ino"));
        } catch (IOException | UnsupportedOperationException e) {
            throw new NotFoundException(netns.describe() + " does not exist (" + netns.path() + ")", e);
        }
    }
}
