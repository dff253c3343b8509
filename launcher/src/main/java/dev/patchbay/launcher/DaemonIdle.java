package dev.patchbay.launcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * {@code daemon --idle SECONDS}: a daemon that has served nobody for that long (no connection accepted, none being read,
 * no request queued or running) leaves. First its socket file goes, so a new client finds no daemon (and starts one,
 * see {@link DaemonAutostart}) rather than a closing one; what connected before is still taken and served, and once
 * nothing came for {@value #DRAIN_MS} ms the listening socket closes and the daemon stops as on SIGTERM.
 */
final class DaemonIdle {
    static final long DRAIN_MS = 500;
    /** {@code --idle configured}: the settings' daemon-idle (PATCHBAY_DAEMON_IDLE, else the file's, else 300). */
    static final String CONFIGURED = "configured";

    private final long idleNanos;
    private final ServerSocketChannel server;
    private final Path sock;
    private final DaemonIntake intake;
    private final ThreadPoolExecutor pool;
    private final PrintWriter log;
    private volatile long last = System.nanoTime();
    private volatile boolean removed;
    private ScheduledFuture<?> check;

    /** {@code sock}: the socket file this daemon made (null for systemd's); {@code seconds} 0: never leave. */
    DaemonIdle(long seconds, ServerSocketChannel server, Path sock, DaemonIntake intake, ExecutorService pool, PrintWriter log) {
        this.idleNanos = TimeUnit.SECONDS.toNanos(seconds);
        this.server = server;
        this.sock = sock;
        this.intake = intake;
        this.pool = (ThreadPoolExecutor) pool;
        this.log = log;
    }

    /** The socket file the shutdown hook removes: none once this removed it (a successor's may be there by then). */
    Path socketToRemove() {
        return removed ? null : sock;
    }

    void accepted() {
        last = System.nanoTime();
    }

    /** Starts looking (a few times a second) for idleness; nothing when it never leaves. */
    synchronized void watch(ScheduledExecutorService timer) {
        if (idleNanos == 0 || sock == null) {
            return;
        }
        long every = Math.max(100, Math.min(1000, TimeUnit.NANOSECONDS.toMillis(idleNanos) / 4));
        check = timer.scheduleWithFixedDelay(this::check, every, every, TimeUnit.MILLISECONDS);
    }

    private boolean quiet(long forNanos) {
        return System.nanoTime() - last >= forNanos && intake.reading() == 0 && pool.getActiveCount() == 0 && pool.getQueue().isEmpty();
    }

    private synchronized void check() {
        if (!removed) {
            if (quiet(idleNanos)) {
                try {
                    Files.deleteIfExists(sock);
                } catch (IOException e) {
                    log.println("patchbay: daemon: idle, but cannot remove " + sock + ": " + e.getMessage() + "; serving on");
                    log.flush();
                    return;
                }
                removed = true;
                last = System.nanoTime();
                log.println("patchbay: daemon: nobody served for " + TimeUnit.NANOSECONDS.toSeconds(idleNanos) + " s: leaving (--idle)");
                log.flush();
            }
        } else if (quiet(TimeUnit.MILLISECONDS.toNanos(DRAIN_MS))) {
            check.cancel(false);
            try {
                server.close(); // the accept loop ends; the daemon stops as on SIGTERM
            } catch (IOException ignored) {
                // closed either way
            }
        }
    }
}
