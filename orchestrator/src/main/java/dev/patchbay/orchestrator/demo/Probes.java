package dev.patchbay.orchestrator.demo;

import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetworkStack;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Real traffic for the demo: pings and a tiny HTTP server and client, each bound to a namespace by
 * creating its socket (or process) on a thread that entered it. Sockets keep their namespace for life.
 */
final class Probes {
    private final NetworkStack stack;

    Probes(NetworkStack stack) {
        this.stack = stack;
    }

    /** One ICMP echo from {@code from} to {@code address}, by the system's ping. */
    boolean ping(NetnsRef from, String address) {
        return stack.callIn(from, () -> {
            Process p = new ProcessBuilder("ping", "-c", "1", "-W", "2", address).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0;
        });
    }

    /** An HTTP server in {@code in}, answering every request with {@code body}; close it to stop. */
    ServerSocket serve(NetnsRef in, int port, String body) {
        ServerSocket server = stack.callIn(in, () -> {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(port));
            return s;
        });
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket c = server.accept()) {
                    c.setSoTimeout(2000);
                    InputStream in2 = c.getInputStream();
                    byte[] buf = new byte[4096];
                    in2.read(buf);
                    byte[] b = body.getBytes(StandardCharsets.UTF_8);
                    OutputStream out = c.getOutputStream();
                    out.write(("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + b.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(b);
                } catch (IOException e) {
                    // closed, or a client gave up: keep serving until closed
                }
            }
        }, "demo-http-" + port);
        t.setDaemon(true);
        t.start();
        return server;
    }

    /** GET / from {@code from} to {@code host:port}; the body, or null when nothing answered within 3 s. */
    String get(NetnsRef from, String host, int port) {
        try {
            return stack.callIn(from, () -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(host, port), 3000);
                    s.setSoTimeout(3000);
                    s.getOutputStream().write(("GET / HTTP/1.0\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    int at = reply.indexOf("\r\n\r\n");
                    return reply.startsWith("HTTP/1.0 200") && at >= 0 ? reply.substring(at + 4) : null;
                }
            });
        } catch (RuntimeException e) {
            return null;
        }
    }
}
