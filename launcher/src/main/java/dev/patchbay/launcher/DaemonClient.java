package dev.patchbay.launcher;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The CLI's side: hands the command to the namespace's daemon when one runs. It waits for the daemon's next byte at
 * most {@link DaemonSocket#SILENCE_MS} ms, connecting, sending or waiting for the reply: a daemon that runs a long
 * request sends progress bytes meanwhile, so only a daemon that does not read (stopped, hung) runs into it.
 */
final class DaemonClient {
    private DaemonClient() {
    }

    /**
     * Whether a command that finds no daemon starts one: not for help, versions, completion or man pages, nor for the
     * metrics (a daemon started to answer them would have counted nothing).
     */
    static boolean autostarts(String[] args) {
        String word = Args.commandWord(args);
        return word != null && !Args.has(args, "-h", "--help", "-V", "--version")
                && !java.util.Set.of("help", "version", "completion", "man", "metrics").contains(word);
    }

    /**
     * The daemon's reply, or empty when no daemon serves this namespace (then work in-process). With none, a command
     * starts one first ({@link DaemonAutostart}); when that is switched off or fails, it works in-process.
     */
    static Optional<DaemonSocket.Reply> forward(String[] args) {
        if ("off".equals(System.getenv(DaemonSocket.ENV_DAEMON))) {
            return Optional.empty();
        }
        Path sock = DaemonSocket.path();
        try (Watchdog dog = new Watchdog()) {
            return forward(sock, args, dog);
        }
    }

    private static Optional<DaemonSocket.Reply> forward(Path sock, String[] args, Watchdog dog) {
        SocketChannel trusted;
        try {
            trusted = DaemonSocket.connectTrusted(sock, dog::watch).orElse(null);
        } catch (DaemonSocket.UntrustedSocket e) {
            // refused, as the CNI shim refuses: the command line (and its reply) must not go to whoever put a socket there
            return Optional.of(new DaemonSocket.Reply(3, "", "patchbay: " + e.getMessage()
                    + "; PATCHBAY_RUN_DIR must be a folder only root can write (or run with PATCHBAY_DAEMON=off)\n"));
        }
        if (trusted == null && !dog.expired() && autostarts(args)) {
            DaemonAutostart.Outcome started = DaemonAutostart.ensure(sock, Main.home(), configured(System.getenv()));
            if (started.why() != null) {
                System.err.println("patchbay: no daemon started (" + started.why() + "); running this command without one");
            }
            try {
                trusted = started.serves() ? DaemonSocket.connectTrusted(sock, dog::watch).orElse(null) : null;
            } catch (DaemonSocket.UntrustedSocket e) {
                return Optional.of(new DaemonSocket.Reply(3, "", "patchbay: " + e.getMessage() + "\n"));
            }
        }
        if (trusted == null) {
            return dog.expired() ? Optional.of(silent(sock, false, args)) : Optional.empty();
        }
        boolean heard = false;
        try (SocketChannel ch = trusted) {
            DataOutputStream out = new DataOutputStream(Channels.newOutputStream(ch));
            try {
                DaemonSocket.writeV4(out, new DaemonSocket.Request(DaemonSocket.currentNetns(), withEnvironment(args, Settings.current().given(Setting.STATE_DIR))));
            } catch (IOException e) {
                if (dog.expired()) {
                    return Optional.of(silent(sock, false, args));
                }
                return Optional.empty(); // not all of the request went out: the daemon cannot have run it; work in-process
            }
            DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
            try {
                for (int b = in.read(); ; b = in.read()) {
                    dog.kick();
                    if (b == DaemonSocket.PROGRESS) {
                        heard = true;
                    } else if (b == DaemonSocket.OUTPUT) { // a streaming command's output, as it comes
                        heard = true;
                        int stream = in.readInt();
                        String text = DaemonFrameReader.replyString(in);
                        java.io.PrintStream to = stream == DaemonSocket.STDERR ? System.err : System.out;
                        to.print(text);
                        to.flush();
                    } else if (b == DaemonSocket.REPLY) {
                        return Optional.of(DaemonSocket.readReply(in));
                    } else if (b < 0 && !heard) {
                        return Optional.of(closed(sock));
                    } else {
                        throw new IOException("not a reply: " + b);
                    }
                }
            } catch (IOException e) {
                if (dog.expired()) {
                    return Optional.of(silent(sock, heard, args));
                }
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

    /** A daemon that has not said a word for {@link DaemonSocket#SILENCE_MS} ms; {@code heard}: it had the request. */
    private static DaemonSocket.Reply silent(Path sock, boolean heard, String[] args) {
        long s = DaemonSocket.SILENCE_MS / 1000;
        return new DaemonSocket.Reply(1, "", heard
                ? "patchbay: the daemon on " + sock + " stopped answering while running \"" + String.join(" ", args) + "\" (nothing for "
                        + s + " s: stopped or hung?); it may do part of it yet: once it answers again, run patchbay gc, then check with patchbay ls\n"
                : "patchbay: the daemon on " + sock + " does not answer (nothing for " + s + " s: stopped or hung?); nothing was run,"
                        + " and it will not run this once it wakes: see to the daemon, or run with PATCHBAY_DAEMON=off\n");
    }

    /** A daemon that closed the connection before it read the request's first bytes. */
    private static DaemonSocket.Reply closed(Path sock) {
        return new DaemonSocket.Reply(1, "", "patchbay: the daemon on " + sock + " closed the connection without reading the request"
                + " (too many clients at once, or an older daemon: restart it); nothing was run\n");
    }

    /**
     * The daemon has another environment: pass what the CLI takes from ours as options. Added after the operator's
     * arguments (before a {@code --} that ends the options), so that an error naming an argument's position names the
     * one the operator typed.
     */
    /** {@code env} with the settings' autostart and idle time (the environment's, else the file's, else the defaults). */
    static java.util.Map<String, String> configured(java.util.Map<String, String> env) {
        java.util.Map<String, String> all = new java.util.HashMap<>(env);
        all.put(DaemonAutostart.ENV_AUTOSTART, Settings.current().get(Setting.DAEMON_AUTOSTART));
        all.put(DaemonAutostart.ENV_IDLE, Settings.current().get(Setting.DAEMON_IDLE));
        return all;
    }

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

    /** Closes the channel it watches after {@link DaemonSocket#SILENCE_MS} ms without a {@link #kick}. */
    private static final class Watchdog implements AutoCloseable {
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "patchbay-client-deadline");
            t.setDaemon(true);
            return t;
        });
        private SocketChannel ch;
        private ScheduledFuture<?> closing;
        private volatile boolean expired;

        synchronized void watch(SocketChannel ch) {
            this.ch = ch;
            expired = false; // a new channel (after a start): the deadline of the last one is no longer ours
            kick();
        }

        synchronized void kick() {
            if (closing != null) {
                closing.cancel(false);
            }
            closing = timer.schedule(this::expire, DaemonSocket.SILENCE_MS, TimeUnit.MILLISECONDS);
        }

        private synchronized void expire() {
            expired = true;
            try {
                ch.close(); // wakes the thread blocked in connect, write or read
            } catch (IOException ignored) {
                // it is closed either way
            }
        }

        boolean expired() {
            return expired;
        }

        @Override
        public void close() {
            timer.shutdownNow();
        }
    }
}
