package dev.patchbay.doctor.explain;

import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.Protocol;
import dev.patchbay.core.spi.NetworkStack;
import java.io.IOException;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/**
 * One probe packet from a namespace: an ICMP echo ({@code ping}) without a port, a TCP connection attempt or a UDP
 * datagram with one. Says how the far end answered, or null when it did not within a second.
 */
final class Probe {
    private Probe() {
    }

    static String send(NetworkStack stack, NetnsRef from, InetAddress dst, Explain.Port port) {
        try {
            return stack.callIn(from, () -> port == null ? ping(dst) : port.protocol() == Protocol.TCP ? connect(dst, port.port())
                    : port.protocol() == Protocol.UDP ? datagram(dst, port.port()) : null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String ping(InetAddress dst) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ping", "-c", "1", "-W", "1", IpAddresses.format(dst)).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 ? "answered a ping" : null;
    }

    private static String connect(InetAddress dst, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(dst, port), 1000);
            return "accepted a TCP connection";
        } catch (ConnectException refused) {
            return refused.getMessage() != null && refused.getMessage().contains("refused")
                    ? "refused the connection (the path works; nothing listens on the port)" : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String datagram(InetAddress dst, int port) {
        try (DatagramSocket s = new DatagramSocket()) {
            byte[] b = "patchbay explain".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            s.send(new DatagramPacket(b, b.length, dst, port));
            s.setSoTimeout(1000);
            s.receive(new DatagramPacket(new byte[512], 512));
            return "answered a datagram";
        } catch (IOException e) {
            return null;
        }
    }
}
