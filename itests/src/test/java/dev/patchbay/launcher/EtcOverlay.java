package dev.patchbay.launcher;

import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The sandbox's /etc made writable for one test without touching the machine's: an overlay whose upper layer is a
 * tmpfs, mounted over /etc in the sandbox's own mount namespace (the daemon the test starts shares it; {@code ip netns
 * exec} reads /etc/netns through it). Gone with {@link #close}.
 */
final class EtcOverlay implements AutoCloseable {
    private final Path layers;

    EtcOverlay() throws Exception {
        layers = Files.createTempDirectory("pb-etc");
        Sandbox.exec("mount", "-t", "tmpfs", "pb-etc", layers.toString());
        Files.createDirectories(layers.resolve("upper"));
        Files.createDirectories(layers.resolve("work"));
        Sandbox.Result r = Sandbox.exec("mount", "-t", "overlay", "pb-etc", "-o", "lowerdir=/etc,upperdir=" + layers.resolve("upper")
                + ",workdir=" + layers.resolve("work"), "/etc");
        if (r.code() != 0) {
            Sandbox.exec("umount", layers.toString());
            throw new AssertionError("cannot mount an overlay on /etc: " + r.output());
        }
    }

    @Override
    public void close() {
        Sandbox.exec("umount", "-l", "/etc");
        Sandbox.exec("umount", "-l", layers.toString());
        try {
            Files.deleteIfExists(layers);
        } catch (java.io.IOException ignored) {
            // the scratch /tmp goes with the sandbox
        }
    }
}
