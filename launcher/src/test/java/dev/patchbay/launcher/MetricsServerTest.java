package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

/** The metrics' HTTP over a unix socket (no privilege needed): GET /metrics, 404, 405, a 0600 socket removed on close. */
class MetricsServerTest {

    private static String ask(Path sock, String request) throws Exception {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(sock));
            ch.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
            ByteBuffer buf = ByteBuffer.allocate(65536);
            while (ch.read(buf) >= 0) {
                if (!buf.hasRemaining()) {
                    break;
                }
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void servesTheTextFormatAtSlashMetrics() throws Exception {
        Path dir = Files.createTempDirectory("pb-metrics");
        Path sock = dir.resolve("m.sock");
        DaemonMetrics metrics = new DaemonMetrics(null);
        metrics.request("ls", 0, 1_000_000);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (MetricsServer server = MetricsServer.start(MetricsEndpoint.parse("unix:" + sock, sock), metrics::scrape, timer)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
            String ok = ask(sock, "GET /metrics HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n");
            assertTrue(ok.startsWith("HTTP/1.0 200 OK\r\n"), ok);
            assertTrue(ok.contains("\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"), ok);
            String body = ok.substring(ok.indexOf("\r\n\r\n") + 4);
            assertTrue(ok.contains("\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n"), ok);
            assertEquals(1.0, PromText.parse(body).get("patchbay_requests_total{command=\"ls\",result=\"ok\"}"));
            assertTrue(ask(sock, "GET /metrics?x=1 HTTP/1.0\r\n\r\n").startsWith("HTTP/1.0 200 OK"));
            assertTrue(ask(sock, "GET / HTTP/1.0\r\n\r\n").startsWith("HTTP/1.0 404 "));
            assertTrue(ask(sock, "POST /metrics HTTP/1.0\r\n\r\n").startsWith("HTTP/1.0 405 "));
            String head = ask(sock, "HEAD /metrics HTTP/1.0\r\n\r\n");
            assertTrue(head.startsWith("HTTP/1.0 200 OK") && head.endsWith("\r\n\r\n"), "HEAD: no body: " + head);
        } finally {
            timer.shutdownNow();
        }
        assertFalse(Files.exists(sock), "the socket file goes with the server");
        Files.delete(dir);
    }
}
