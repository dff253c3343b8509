package dev.patchbay.launcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.framework.BundleContext;

/**
 * {@code patchbay daemon}: keeps the framework, the netlink sockets and the firewall session open and
 * runs the CLI's commands for clients on a root-only Unix socket, and the CNI plugin calls the shim forwards (as the
 * CNI handler service, see {@link CniRequest}). Serves the namespace it runs in. Each connection is read off the
 * workers ({@link DaemonIntake}, within {@link DaemonFrameReader}'s limits), run in its container's order
 * ({@link DaemonOrder}) unless its client is gone, and answered through its {@link DaemonConnection}.
 */
final class DaemonServer {
    private final Requests requests;
    private final DaemonStream streams = new DaemonStream();
    private final CniHandlers cniHandlers;
    private final Runnable stopFramework;
    private final String netns = DaemonSocket.currentNetns();

    private final DaemonMetrics metrics;
    private final MetricsEndpoint metricsAt;
    private MetricsServer metricsServer;

    /**
     * {@code stopFramework} stops the framework and deletes its cache; the shutdown hook runs it (idempotent).
     * {@code metricsAt}: where to serve the metrics ({@link MetricsEndpoint#OFF}: nowhere, {@code patchbay metrics} still
     * answers).
     */
    DaemonServer(BundleContext ctx, Runnable stopFramework, long idleSeconds, MetricsEndpoint metricsAt, boolean byHand) {
        this.idleSeconds = idleSeconds;
        this.byHand = byHand;
        this.metrics = new DaemonMetrics(ctx);
        this.metricsAt = metricsAt;
        this.requests = new Requests(ctx);
        this.cniHandlers = new CniHandlers(ctx);
        this.stopFramework = stopFramework;
        String dir = ctx.getProperty("patchbay.state.dir");
        this.stateDir = dir == null || dir.isEmpty() ? null : dir;
    }

    /** Started without {@code --idle}: a daemon a command started gives way to it ({@link DaemonTakeover}). */
    private final boolean byHand;

    /** {@code --idle}: leave after serving nobody this long (0: never). */
    private final long idleSeconds;

    /** The state directory the framework was told of, or null for the CLI's default. */
    private final String stateDir;

    /** Serves until the process is told to stop; returns the exit code. */
    int serve(PrintWriter log) throws IOException {
        Path sock = DaemonSocket.path();
        Files.createDirectories(sock.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        ServerSocketChannel activated = SocketActivation.inherited(); // systemd's (patchbay.socket), or null: bind our own
        if (activated == null && !claim(sock, log)) {
            return 3;
        }
        ServerSocketChannel server = activated != null ? activated : ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "patchbay-daemon-timer");
            t.setDaemon(true);
            return t;
        }); // read and write deadlines, progress bytes
        if (!serveMetrics(timer, log)) { // before the daemon's socket: a daemon that cannot serve what it was told to does not start
            return 3;
        }
        ExecutorService pool = Executors.newFixedThreadPool(16, requestThreads()); // platform threads: commands may block on locks
        DaemonOrder order = new DaemonOrder(pool);
        DaemonIntake intake = new DaemonIntake(timer, (conn, call) -> dispatch(order, conn, call));
        // On SIGTERM/SIGINT the JVM runs only its shutdown hooks and then halts: the main thread's try-with-resources
        // never gets to stop the framework, so the hook does all of it (else the Felix cache stays in $TMPDIR). It is
        // in place before the socket exists: a client may stop the daemon as soon as it sees the socket.
        // An activated socket's files are systemd's: they stay (it listens on, and starts the daemon again on a request).
        // An idle daemon removes its socket itself before it leaves: the hook must not remove a successor's.
        DaemonIdle idle = new DaemonIdle(idleSeconds, server, activated != null ? null : sock, intake, pool, log);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(server, idle.socketToRemove(), pool, log), "patchbay-daemon-stop"));
        listen(server, activated, sock, log);
        Hangup.handle(log);
        recover(log); // before the first request is served: clients that connect meanwhile wait for it
        Notify.ready(log); // systemd (Type=notify): started once it serves
        if (activated == null) {
            idle.watch(timer); // systemd's socket starts the daemon again on demand: it decides when it stops
        }
        acceptUntilClosed(server, idle, intake);
        finish(pool); // the shutdown hook closed the socket: the caller stops the framework next
        return 0;
    }

    /**
     * Whether this daemon may bind {@code sock}: false when a live daemon serves it, unless this one was started by hand
     * and that one by a command (it leaves, {@link DaemonTakeover}); a dead one's file is deleted.
     */
    private boolean claim(Path sock, PrintWriter log) throws IOException {
        for (int tries = 0; tries < 3; tries++) { // one a command started meanwhile gives way too
            if (!Files.exists(sock)) {
                return true;
            }
            if (!DaemonClient.alive(sock)) {
                Files.deleteIfExists(sock); // left by a daemon that died
                return true;
            }
            if (!byHand || !DaemonTakeover.fromAutostarted(sock, log)) {
                break;
            }
        }
        log.println("patchbay: a daemon already serves this namespace on " + sock);
        return false;
    }

    /** Starts the metrics endpoint when one is asked for; false (said in the log) when it cannot be served. */
    private boolean serveMetrics(ScheduledExecutorService timer, PrintWriter log) {
        if (metricsAt.off()) {
            return true;
        }
        try {
            metricsServer = MetricsServer.start(metricsAt, metrics::scrape, timer);
        } catch (IOException e) {
            log.println("patchbay: daemon: cannot serve the metrics on " + metricsAt.describe() + " (" + MetricsEndpoint.SETTING
                    + "): " + e.getMessage());
            return false;
        }
        MetricsServer.logServing(log, metricsAt);
        return true;
    }

    private static ThreadFactory requestThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "patchbay-request-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Makes {@code sock} the name clients connect to: systemd's socket linked there, or our own bound and renamed there. */
    private void listen(ServerSocketChannel server, ServerSocketChannel activated, Path sock, PrintWriter log) throws IOException {
        if (activated != null) {
            SocketActivation.link(activated, sock); // the name this namespace's clients look for
            log.println("patchbay: daemon serving " + netns + " on " + sock + " (systemd's socket " + SocketActivation.listened(activated) + ")");
        } else {
            // bound and listening under a name of its own, then renamed into place: a client that sees the socket can
            // connect (binding makes the file before the socket listens, and before its mode is set)
            Path bound = sock.resolveSibling(sock.getFileName() + ".new-" + ProcessHandle.current().pid());
            Files.deleteIfExists(bound);
            server.bind(UnixDomainSocketAddress.of(bound));
            Files.setPosixFilePermissions(bound, PosixFilePermissions.fromString("rw-------"));
            Files.move(bound, sock, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            log.println("patchbay: daemon serving " + netns + " on " + sock + (idleSeconds > 0 ? " (leaves after " + idleSeconds + " s idle)" : ""));
        }
        log.flush();
    }

    /** Hands each connection to the intake until the socket is closed (by the shutdown hook, or by {@link DaemonIdle}). */
    private static void acceptUntilClosed(ServerSocketChannel server, DaemonIdle idle, DaemonIntake intake) {
        while (server.isOpen()) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                break; // closed by the shutdown hook, or by DaemonIdle
            }
            idle.accepted();
            intake.accept(client); // read off the pool: only requests read whole go to it
        }
    }

    /**
     * At start, {@code patchbay gc} for the daemon's namespace: operations a crash interrupted (of a daemon killed, or a
     * CLI) are finished or undone, and what the kernel lost since (a reboot, a deleted bridge) is made again. Nothing to
     * do, and nothing created, when the state directory holds no network and no journal.
     */
    private void recover(PrintWriter log) {
        Path dir = Path.of(stateDir != null ? stateDir : System.getenv().getOrDefault("PATCHBAY_STATE_DIR", "/var/lib/patchbay"));
        if (!Files.isDirectory(dir.resolve("networks")) && !Files.isDirectory(dir.resolve("journal"))) {
            return;
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] args = stateDir == null ? new String[] {"gc"} : new String[] {"--state-dir", stateDir, "gc"};
        int code;
        try {
            code = requests.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        } catch (RuntimeException e) {
            code = 4;
            err.write(String.valueOf(e.getMessage()));
        }
        for (String line : (out.toString() + err).split("\n")) {
            if (!line.isBlank()) {
                log.println("patchbay: daemon: at start: " + line.replaceFirst("^patchbay: ", ""));
            }
        }
        if (code != 0) {
            log.println("patchbay: daemon: at start: gc ended with exit code " + code + "; serving anyway");
        }
        log.flush();
    }

    /** Lets the running requests finish, for at most 10 s. */
    private static void finish(ExecutorService pool) {
        pool.shutdown();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops taking requests, lets the running ones finish (a bounded wait), then stops the framework. {@code sock}, the
     * socket file to remove, is null for systemd's.
     */
    private void stop(ServerSocketChannel server, Path sock, ExecutorService pool, PrintWriter log) {
        Notify.stopping(log);
        if (metricsServer != null) {
            metricsServer.close();
        }
        try {
            server.close();
            if (sock != null) {
                Files.deleteIfExists(sock);
            }
        } catch (IOException ignored) {
            // exiting anyway
        }
        streams.stopAll(); // they run until their client goes: not for the 10 s finish waits
        finish(pool);
        requests.close();
        cniHandlers.close();
        stopFramework.run();
    }

    /**
     * A request read whole: run on the pool, after the earlier ones of its container ({@link DaemonOrder}), unless its
     * client is gone by then.
     */
    private void dispatch(DaemonOrder order, DaemonConnection conn, DaemonSocket.Call call) {
        try {
            order.submit(DaemonOrder.key(call), () -> {
                if (conn.clientGone()) {
                    conn.close(); // never started: nobody waits for it (a runtime that gave up sends DEL next)
                    return;
                }
                Ran ran;
                String peer = RequestLog.peer(conn.channel());
                long start = System.nanoTime();
                try {
                    ran = run(call, conn::clientGone, conn); // a plugin a CNI call runs ends when its client goes
                } catch (RuntimeException e) {
                    conn.close();
                    long took = System.nanoTime() - start;
                    log(RequestLog.line(peer, call, "internal error " + e, took));
                    metrics.request(label(call, null), -1, took);
                    return;
                }
                // counted and logged before the reply goes out: a client that scrapes or reads the log once it has
                // its answer finds its request there (the C client exits the moment the reply is read)
                long took = System.nanoTime() - start;
                log(RequestLog.line(peer, call, "exit " + ran.reply().code(), took));
                metrics.request(label(call, ran.command()), ran.reply().code(), took);
                conn.reply(ran.reply());
            });
        } catch (RuntimeException e) { // the pool stopped
            conn.close();
        }
    }

    /** A line of the daemon's log (its stderr: see {@link DaemonLog}). */
    private static void log(String line) {
        System.err.println(line);
    }

    /** The metrics' command label of a call: its CNI verb, or the command the tree matched ({@code other}: none). */
    private static String label(DaemonSocket.Call call, String command) {
        if (call instanceof DaemonSocket.CniCall cni) {
            return DaemonMetrics.cniLabel(cni.env().get("CNI_COMMAND"));
        }
        return DaemonMetrics.commandLabel(command);
    }

    /** A call's reply and the command it ran as the command tree names it (null: none, or a CNI call). */
    private record Ran(DaemonSocket.Reply reply, String command) {
    }

    DaemonSocket.Reply run(DaemonSocket.Call call) {
        return run(call, () -> false, null).reply();
    }

    /**
     * Runs the call; {@code clientGone} tells a CNI call whether anyone still waits for it (see CniRequest); {@code conn}
     * (null: none) takes a streaming command's output as it comes ({@link DaemonStream}).
     */
    private Ran run(DaemonSocket.Call call, java.util.function.BooleanSupplier clientGone, DaemonConnection conn) {
        if (!netns.equals(call.netns())) {
            String refusal = "patchbay: this daemon serves " + netns + ", the client runs in " + call.netns() + "\n";
            return new Ran(call instanceof DaemonSocket.CniCall cni ? CniRequest.asCniReply(3, "", refusal, cni.stdin())
                    : new DaemonSocket.Reply(3, "", refusal), null);
        }
        if (call instanceof DaemonSocket.CniCall cni) {
            return new Ran(cniHandlers.serve(cni, clientGone), null); // the CNI handler service, with the call: see CniRequest
        }
        DaemonSocket.Request req = (DaemonSocket.Request) call;
        String word = Args.commandWord(req.args());
        if ("daemon".equals(word)) {
            return new Ran(new DaemonSocket.Reply(3, "", "patchbay: a daemon already serves this namespace\n"), "daemon");
        }
        if ("metrics".equals(word) && !Args.has(req.args(), "-h", "--help", "-V", "--version")) {
            return new Ran(new DaemonSocket.Reply(0, new String(metrics.scrape(), java.nio.charset.StandardCharsets.UTF_8), ""), "metrics");
        }
        if (conn != null && !Args.has(req.args(), "-h", "--help", "-V", "--version") && requests.streams(word)) {
            return new Ran(streams.run(conn, word, (o, e) -> requests.runNamed(req.args(), o, e).code()), word);
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintWriter o = new PrintWriter(out, true);
        PrintWriter e = new PrintWriter(err, true);
        Requests.Ran ran = requests.runNamed(req.args(), o, e);
        o.flush();
        e.flush();
        return new Ran(new DaemonSocket.Reply(ran.code(), out.toString(), err.toString()), ran.command());
    }
}
