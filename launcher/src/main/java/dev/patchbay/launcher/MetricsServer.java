package dev.patchbay.launcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Serves the metrics over plain HTTP on the {@link MetricsEndpoint}, a unix socket or a loopback port: {@code GET /metrics}
 * answers the text format, anything else 404 or 405; one connection at a time, each closed after its answer (HTTP/1.0),
 * and after {@value #DEADLINE_MS} ms if its request has not come whole by then (at most {@value #MAX_HEAD} bytes are read).
 * One thread; the same few lines for both kinds of socket, which is why this is not the Prometheus client's HTTP server
 * (the JDK's, which cannot listen on a unix socket, and brings the protobuf format's 2 MB).
 */
final class MetricsServer implements AutoCloseable {
    static final int MAX_HEAD = 8192;
    static final long DEADLINE_MS = 5000;

    private final ServerSocketChannel server;
    private final Path socketFile;
    private final Supplier<byte[]> metrics;
    private final ScheduledExecutorService timer;
    private final Thread thread;

    private MetricsServer(ServerSocketChannel server, Path socketFile, Supplier<byte[]> metrics, ScheduledExecutorService timer) {
        this.server = server;
        this.socketFile = socketFile;
        this.metrics = metrics;
        this.timer = timer;
        this.thread = new Thread(this::serve, "patchbay-metrics");
        this.thread.setDaemon(true);
    }

    /**
     * Listens on {@code endpoint} and serves on a thread of its own. A unix socket is root's alone (0600): a stale file is
     * replaced, one a live process serves is refused.
     */
    static MetricsServer start(MetricsEndpoint endpoint, Supplier<byte[]> metrics, ScheduledExecutorService timer) throws IOException {
        ServerSocketChannel server;
        Path file = null;
        if (endpoint.address() instanceof UnixDomainSocketAddress u) {
            file = u.getPath();
            if (Files.exists(file)) {
                if (DaemonClient.alive(file)) {
                    throw new IOException(MetricsEndpoint.SETTING + ": " + file + " is served by another process");
                }
                Files.delete(file);
            }
            Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            Path bound = file.resolveSibling(file.getFileName() + ".new-" + ProcessHandle.current().pid());
            Files.deleteIfExists(bound);
            server.bind(UnixDomainSocketAddress.of(bound));
            Files.setPosixFilePermissions(bound, PosixFilePermissions.fromString("rw-------"));
            Files.move(bound, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } else {
            server = ServerSocketChannel.open();
            server.bind(endpoint.address(), 16);
        }
        MetricsServer s = new MetricsServer(server, file, metrics, timer);
        s.thread.start();
        return s;
    }

    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel client = server.accept()) {
                ScheduledFuture<?> deadline = timer.schedule(() -> closeQuietly(client), DEADLINE_MS, TimeUnit.MILLISECONDS);
                try {
                    answer(client);
                } finally {
                    deadline.cancel(false);
                }
            } catch (IOException | RuntimeException e) {
                if (!server.isOpen()) {
                    return;
                }
                // one client's trouble (gone, too slow, a scrape that failed): the next one is served
            }
        }
    }

    private void answer(SocketChannel client) throws IOException {
        String head = readHead(client);
        if (head == null) {
            return; // closed before a whole request line came
        }
        String[] line = head.substring(0, head.indexOf('\n')).strip().split(" ");
        String path = line.length > 1 ? line[1] : "";
        int q = path.indexOf('?');
        path = q >= 0 ? path.substring(0, q) : path;
        if (!line[0].equals("GET") && !line[0].equals("HEAD")) {
            write(client, "405 Method Not Allowed", "text/plain; charset=utf-8", "only GET /metrics\n".getBytes(StandardCharsets.UTF_8), true);
        } else if (!path.equals("/metrics")) {
            write(client, "404 Not Found", "text/plain; charset=utf-8", "the metrics are at /metrics\n".getBytes(StandardCharsets.UTF_8), true);
        } else {
            write(client, "200 OK", DaemonMetrics.contentType(), metrics.get(), line[0].equals("GET"));
        }
    }

    /** The request's head up to its empty line (or its first line, for an HTTP/0.9-style {@code GET /metrics}); null on EOF. */
    static String readHead(SocketChannel client) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(MAX_HEAD);
        while (buf.hasRemaining()) {
            if (client.read(buf) < 0) {
                break;
            }
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1);
            if (text.contains("\r\n\r\n") || text.contains("\n\n")) {
                return text;
            }
        }
        String text = new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1);
        return text.contains("\n") ? text : null;
    }

    private static void write(SocketChannel client, String status, String type, byte[] body, boolean withBody) throws IOException {
        String head = "HTTP/1.0 " + status + "\r\nContent-Type: " + type + "\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n";
        ByteBuffer h = ByteBuffer.wrap(head.getBytes(StandardCharsets.ISO_8859_1));
        ByteBuffer b = ByteBuffer.wrap(withBody ? body : new byte[0]);
        while (h.hasRemaining() || b.hasRemaining()) {
            client.write(new ByteBuffer[] {h, b});
        }
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // gone already
        }
    }

    /** Stops listening and removes the unix socket's file. */
    @Override
    public void close() {
        try {
            server.close();
            if (socketFile != null) {
                Files.deleteIfExists(socketFile);
            }
        } catch (IOException ignored) {
            // exiting anyway
        }
    }

    /** Says where it serves, for the daemon's log. */
    static void logServing(PrintWriter log, MetricsEndpoint endpoint) {
        log.println("patchbay: daemon: metrics on " + endpoint.describe() + " (GET /metrics)");
    }
}
