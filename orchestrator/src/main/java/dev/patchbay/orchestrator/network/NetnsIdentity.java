package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.model.NetnsRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Which namespace a reference names right now: {@code DEV:INODE} of its namespace file. */
final class NetnsIdentity {
    private NetnsIdentity() {
    }

    static String of(NetnsRef ref) {
        Path path = ref.path();
        try {
            Object dev = Files.getAttribute(path, "unix:dev");
            Object ino = Files.getAttribute(path, "unix:ino");
            return dev + ":" + ino;
        } catch (IOException | UnsupportedOperationException e) {
            throw new NotFoundException(ref.describe() + " does not exist (" + path + ")", e);
        }
    }

    /** True when the namespace {@code id} names is the one {@code ref} names; false if {@code ref} is gone. */
    static boolean same(String id, NetnsRef ref) {
        try {
            return id.equals(of(ref));
        } catch (NotFoundException e) {
            return false;
        }
    }
}
