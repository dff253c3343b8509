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
        SocketChannel trusted;
        try {
            trusted = DaemonSocket.connectTrusted(sock).orElse(null);
        } catch (DaemonSocket.UntrustedSocket e) {
            // refused, as the CNI shim refuses: the command line (and its reply) must not go to whoever put a socket there
            return Optional.of(new DaemonSocket.Reply(3, "", "patchbay: " + e.getMessage()
                    + "; PATCHBAY_RUN_DIR must be a folder only root can write (or run with PATCHBAY_DAEMON=off)\n"));
        }
        if (trusted == null) {
            return Optional.empty();
        }
        try (SocketChannel ch = trusted) {
            DataOutputStream out = new DataOutputStream(Channels.newOutputStream(ch));
            try {
                DaemonSocket.write(out, new DaemonSocket.Request(DaemonSocket.currentNetns(), withEnvironment(args, System.getenv("PATCHBAY_STATE_DIR"))));
            } catch (IOException e) {
                return Optional.empty(); // not all of the request went out: the daemon cannot have run it; work in-process
            }
            try {
                return Optional.of(DaemonSocket.readReply(new DataInputStream(Channels.newInputStream(ch))));
            } catch (IOException e) {
                // The request went out whole: the daemon may have run part of it before it died. Running it again here
                // would fail half-way ("already attached") and leave what the daemon made without a record: say so.
                return Optional.of(died(args));
            }
        } catch (IOException e) {
            return Optional.empty(); // closing failed: nothing was sent
        }
    }

    /** The reply of a daemon that died mid-request: exit 1, what to run. */
    static DaemonSocket.Reply died(String[] args) {
        return new DaemonSocket.Reply(1, "", "patchbay: the daemon died while running \"" + String.join(" ", args)
                + "\" (it may have done part of it); nothing was run again: run patchbay gc, which finishes or undoes what it left"
                + " in flight, then check with patchbay ls\n");
    }

    /**
     * The daemon has another environment: pass what the CLI takes from ours as options. Added after the operator's
     * arguments (before a {@code --} that ends the options), so that an error naming an argument's position names the
     * one the operator typed.
     */
    static String[] withEnvironment(String[] args, String stateDir) {
        if (stateDir == null || stateDir.isEmpty() || Args.has(args, "--state-dir")) {
            return args;
        }
        int at = args.length;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--")) {
                at = i;
                break;
            }
        }
        String[] all = new String[args.length + 1];
        System.arraycopy(args, 0, all, 0, at);
        all[at] = "--state-dir=" + stateDir;
        System.arraycopy(args, at, all, at + 1, args.length - at);
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
