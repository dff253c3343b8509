package dev.patchbay.launcher;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The CLI's side: hands the command to the namespace's daemon when one runs. */
final class DaemonClient {
    private DaemonClient() {
    }

    /** The daemon's reply, or empty when no daemon serves this namespace (then work in-process). */
    static Optional<DaemonSocket.Reply> forward(String[] args) {
        if ("off".equals(System.getenv(DaemonSocket.ENV_DAEMON))) {
            return Optional.empty();
        }
        Path sock = DaemonSocket.path();
        if (!Files.exists(sock)) {
            return Optional.empty();
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(sock));
            DataOutputStream out = new DataOutputStream(Channels.newOutputStream(ch));
            DaemonSocket.write(out, new DaemonSocket.Request(DaemonSocket.currentNetns(), withEnvironment(args)));
            return Optional.of(DaemonSocket.readReply(new DataInputStream(Channels.newInputStream(ch))));
        } catch (IOException e) {
            return Optional.empty(); // a stale socket: no daemon
        }
    }

    /** The daemon has another environment: pass what the CLI takes from ours as options. */
    private static String[] withEnvironment(String[] args) {
        String stateDir = System.getenv("PATCHBAY_STATE_DIR");
        if (stateDir == null || stateDir.isEmpty() || Args.has(args, "--state-dir")) {
            return args;
        }
        String[] all = new String[args.length + 2];
        all[0] = "--state-dir";
        all[1] = stateDir;
        System.arraycopy(args, 0, all, 2, args.length);
        return all;
    }

    static boolean alive(Path sock) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(sock));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
