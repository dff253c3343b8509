package dev.patchbay.launcher;

import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The pid of a daemon client, from {@code SO_PEERCRED} through the distribution's {@code lib/libpatchbay-peer.so}
 * (Java's own SO_PEERCRED option gives the user and group only). Loaded once, by the daemon; when the library is
 * missing or refuses, every answer is empty and the request log says {@code pid ?}.
 */
final class PeerPid {
    static final String LIBRARY = "libpatchbay-peer.so";
    private static final boolean LOADED = load();

    private PeerPid() {
    }

    private static boolean load() {
        try {
            Path lib = Main.home().resolve("lib").resolve(LIBRARY);
            if (!Files.isRegularFile(lib)) {
                return false;
            }
            System.load(lib.toAbsolutePath().toString());
            return true;
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return false;
        }
    }

    /** The peer's pid as the kernel recorded it when the peer connected, or empty. */
    static OptionalLong of(SocketChannel ch) {
        if (!LOADED) {
            return OptionalLong.empty();
        }
        try {
            int pid = pid(ch);
            return pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty();
        } catch (UnsatisfiedLinkError e) {
            return OptionalLong.empty();
        }
    }

    private static native int pid(SocketChannel ch);
}
