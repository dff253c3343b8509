package dev.patchbay.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import org.xbill.DNS.Message;

/**
 * A server's sockets on one address, port 53: UDP and TCP, bound to that address alone (a resolver listening elsewhere
 * in the namespace, 127.0.0.1 or another interface, is no conflict). Each query is answered by {@code answer} on the
 * pool (a forward may wait on an upstream); a message that does not parse is dropped.
 */
final class Listener implements AutoCloseable {
    static final int PORT = 53;
    private final InetAddress address;
    private final DatagramSocket udp;
    private final ServerSocket tcp;

    private Listener(InetAddress address, DatagramSocket udp, ServerSocket tcp) {
        this.address = address;
        this.udp = udp;
        this.tcp = tcp;
    }

    /** Binds both sockets on {@code address} (an IOException when it is not an address of this namespace, or taken). */
    static Listener open(InetAddress address, int port, Function<Message, Message> answer, ExecutorService pool) throws IOException {
        DatagramSocket udp = new DatagramSocket(null);
        ServerSocket tcp = new ServerSocket();
        try {
            udp.bind(new InetSocketAddress(address, port));
            tcp.setReuseAddress(true);
            tcp.bind(new InetSocketAddress(address, port), 64);
        } catch (IOException e) {
            udp.close();
            tcp.close();
            throw e;
        }
        Listener l = new Listener(address, udp, tcp);
        thread("patchbay-dns-udp " + address.getHostAddress(), () -> l.serveUdp(answer, pool));
        thread("patchbay-dns-tcp " + address.getHostAddress(), () -> l.serveTcp(answer, pool));
        return l;
    }

    InetAddress address() {
        return address;
    }

    private static void thread(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    private void serveUdp(Function<Message, Message> answer, ExecutorService pool) {
        while (!udp.isClosed()) {
            DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
            try {
                udp.receive(p);
            } catch (IOException closed) {
                return;
            }
            byte[] data = java.util.Arrays.copyOf(p.getData(), p.getLength());
            java.net.SocketAddress from = p.getSocketAddress();
            pool.execute(() -> {
                try {
                    Message q = new Message(data);
                    Message r = answer.apply(q);
                    int max = q.getOPT() == null ? 512 : Math.max(512, q.getOPT().getPayloadSize());
                    byte[] out = r.toWire(max); // truncated (TC set) when it does not fit: the client asks again over TCP
                    udp.send(new DatagramPacket(out, out.length, from));
                } catch (IOException | RuntimeException dropped) {
                    // not a DNS message, or the socket closed
                }
            });
        }
    }

    private void serveTcp(Function<Message, Message> answer, ExecutorService pool) {
        while (!tcp.isClosed()) {
            Socket s;
            try {
                s = tcp.accept();
            } catch (IOException closed) {
                return;
            }
            pool.execute(() -> {
                try (s) {
                    s.setSoTimeout(10_000);
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    DataOutputStream out = new DataOutputStream(s.getOutputStream());
                    while (true) {
                        byte[] q = new byte[in.readUnsignedShort()];
                        in.readFully(q);
                        byte[] r = answer.apply(new Message(q)).toWire();
                        out.writeShort(r.length);
                        out.write(r);
                        out.flush();
                    }
                } catch (IOException | RuntimeException done) {
                    // the client closed, went quiet, or sent no DNS message
                }
            });
        }
    }

    @Override
    public void close() {
        udp.close();
        try {
            tcp.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
