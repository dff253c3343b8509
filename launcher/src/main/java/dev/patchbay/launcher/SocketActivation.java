package dev.patchbay.launcher;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The daemon's listening socket when systemd (or {@code systemd-socket-activate}) made it: {@code patchbay.socket}
 * listens on {@code /run/patchbay/patchbay.sock} and passes it as fd 3 ({@code LISTEN_FDS=1}, {@code LISTEN_PID}).
 * Java adopts only fd 0 ({@link System#inheritedChannel()}), so {@code bin/patchbay-jvm} (which {@code bin/patchbay}
 * execs for {@code daemon}, keeping the pid) moves fd 3 there and says so with {@code -Dpatchbay.listen=inherited};
 * without that property fd 0 is never taken for a socket.
 *
 * <p>Clients (the CLI and the CNI shim) look for the socket of their network namespace,
 * {@code /run/patchbay/net-INODE.sock}, which a unit file cannot name. The socket unit's {@code ExecStartPost}
 * ({@code bin/patchbay-socket-link}) gives the socket it listens on that name too, as a hard link (clients refuse a
 * symbolic link: see {@link DaemonSocket#connectTrusted}), so the first client after boot already reaches systemd's
 * socket and starts the daemon; the daemon makes the same link ({@link #link}) when it finds none.
 */
final class SocketActivation {
    static final String PROPERTY = "patchbay.listen";

    private SocketActivation() {
    }

    /** The listening socket systemd passed, or null when the daemon was not socket-activated (it binds its own). */
    static ServerSocketChannel inherited() throws IOException {
        if (!"inherited".equals(System.getProperty(PROPERTY))) {
            return null;
        }
        Channel ch = System.inheritedChannel();
        SocketAddress local = ch instanceof ServerSocketChannel server ? server.getLocalAddress() : null;
        if (!(local instanceof UnixDomainSocketAddress)) {
            throw new IOException("the socket systemd passed (LISTEN_FDS, fd 3) is not a listening unix stream socket but "
                    + (ch == null ? "nothing Java can adopt" : ch + " on " + local) + ": patchbay.socket must use ListenStream=/run/patchbay/patchbay.sock");
        }
        return (ServerSocketChannel) ch;
    }

    /** The path systemd listens on. */
    static Path listened(ServerSocketChannel server) throws IOException {
        return ((UnixDomainSocketAddress) server.getLocalAddress()).getPath().toAbsolutePath();
    }

    /**
     * Gives the activated socket the name clients of this namespace look for, {@code sock}, unless it has it already:
     * a hard link made under a name of its own and renamed over {@code sock} (a stale socket of a dead daemon there is
     * replaced). Returns whether it made the link.
     */
    static boolean link(ServerSocketChannel server, Path sock) throws IOException {
        Path listened = listened(server);
        if (listened.equals(sock.toAbsolutePath()) || Files.exists(sock) && Files.isSameFile(listened, sock)) {
            return false;
        }
        Path tmp = sock.resolveSibling(sock.getFileName() + ".link-" + ProcessHandle.current().pid());
        Files.deleteIfExists(tmp);
        try {
            Files.createLink(tmp, listened);
        } catch (IOException e) {
            throw new IOException("cannot link " + sock + " to the socket systemd listens on, " + listened
                    + " (both must be in one folder, PATCHBAY_RUN_DIR): " + e, e);
        }
        Files.move(tmp, sock, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return true;
    }
}
