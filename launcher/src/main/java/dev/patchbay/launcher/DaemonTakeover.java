package dev.patchbay.launcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * A daemon started by hand ({@code patchbay daemon} without {@code --idle}) that finds the namespace served by a daemon
 * a command or a CNI call started ({@code --idle}, see {@link DaemonAutostart}) asks that one to leave (SIGTERM: it
 * finishes the requests it took) and serves in its place, instead of leaving itself. Such a start races with any
 * command run at the same moment, whose autostart could otherwise take the socket first. A daemon started by hand or by
 * systemd keeps the namespace: the new one leaves, as before.
 */
final class DaemonTakeover {
    /** How long the daemon that leaves may take to finish what it took. */
    static final long LEAVE_WAIT_SECONDS = 30;

    private DaemonTakeover() {
    }

    /**
     * Whether the autostarted daemon serving {@code sock} gave it up when asked (its socket file is gone, or it exited);
     * false if none or another kind serves.
     */
    static boolean fromAutostarted(Path sock, PrintWriter log) {
        OptionalLong pid = serverPid(sock);
        if (pid.isEmpty() || !autostarted(pid.getAsLong())) {
            return false;
        }
        ProcessHandle other = ProcessHandle.of(pid.getAsLong()).orElse(null);
        if (other == null) {
            return true; // gone already
        }
        log.println("patchbay: daemon: the daemon a command started (pid " + pid.getAsLong() + ", --idle) serves this namespace: it is"
                + " asked to leave, and this one serves in its place");
        other.destroy();
        // it closes and deletes its socket first thing, then finishes its requests and stops: free once the file is gone
        // (binding earlier could have ours deleted by it), or once it exited (a file left behind is a dead one's)
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(LEAVE_WAIT_SECONDS);
        while (System.nanoTime() < until) {
            if (!Files.exists(sock) || !other.isAlive()) {
                return true;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        log.println("patchbay: daemon: pid " + pid.getAsLong() + " did not leave within " + LEAVE_WAIT_SECONDS + " s");
        return false;
    }

    /** The pid of the process serving {@code sock}, as the kernel recorded it (SO_PEERCRED), or empty. */
    private static OptionalLong serverPid(Path sock) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(sock));
            return PeerPid.of(ch);
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** Whether process {@code pid} runs {@code launcher.jar daemon --idle ...}. */
    static boolean autostarted(long pid) {
        try {
            return autostarted(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")));
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether a {@code /proc/PID/cmdline} (NUL-separated words) is the launcher's {@code daemon} with {@code --idle}. */
    static boolean autostarted(byte[] cmdline) {
        List<String> words = Arrays.asList(new String(cmdline, StandardCharsets.UTF_8).split("\0"));
        int jar = words.indexOf("-jar");
        int daemon = words.indexOf("daemon");
        return jar >= 0 && jar + 1 < words.size() && words.get(jar + 1).endsWith("launcher.jar") && daemon == jar + 2
                && words.subList(daemon, words.size()).stream().anyMatch(w -> w.equals("--idle") || w.startsWith("--idle="));
    }
}
