package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SocketActivationTest {

    @Test
    void noSocketIsTakenWithoutTheLaunchersWord() throws Exception {
        assertNull(System.getProperty(SocketActivation.PROPERTY));
        assertNull(SocketActivation.inherited(), "fd 0 is never taken for a socket unless bin/patchbay moved one there");
    }

    @Test
    void theNamespacesNameIsAHardLinkToTheListenedSocket(@TempDir Path dir) throws Exception {
        Path listened = dir.resolve("patchbay.sock");
        Path named = dir.resolve("net-4026531840.sock");
        Files.writeString(named, "stale"); // what a dead daemon may have left: replaced
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(listened));
            assertTrue(SocketActivation.link(server, named));
            assertTrue(Files.isSameFile(listened, named));
            assertFalse(SocketActivation.link(server, named), "already linked: nothing to do");
            assertFalse(SocketActivation.link(server, listened), "the listened name itself: nothing to do");
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(named))) {
                assertTrue(client.isConnected(), "a client of the namespace's name reaches the listened socket");
            }
            try (var files = Files.list(dir)) {
                assertEquals(List.of("net-4026531840.sock", "patchbay.sock"), files.map(f -> f.getFileName().toString()).sorted().toList(),
                        "no temporary name left");
            }
        }
    }

    @Test
    void notifyRunsSystemdNotifyForTheDaemonsPid() {
        assertEquals(List.of("systemd-notify", "--pid=42", "--ready", "STATUS=x"), Notify.argv(42, "--ready", "STATUS=x"));
    }
}
