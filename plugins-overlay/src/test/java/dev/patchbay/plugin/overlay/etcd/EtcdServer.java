package dev.patchbay.plugin.overlay.etcd;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One etcd member (Debian's etcd-server) run by a test in namespace {@code netns}, listening for clients on
 * {@code address}:2379, its data in a fresh folder: stopped, and its folder deleted, by {@link #close}.
 */
public final class EtcdServer implements AutoCloseable {
    private final Process process;
    private final Path dir;
    public final URI url;

    public EtcdServer(String netns, String address) throws IOException {
        this(netns, address, null);
    }

    /**
     * With {@code certs} (a folder of {@code ca.pem}, {@code server.pem}, {@code server-key.pem}, {@code client.pem},
     * {@code client-key.pem}): clients over https, with a certificate of that CA.
     */
    public EtcdServer(String netns, String address, Path certs) throws IOException {
        dir = Files.createTempDirectory("etcd-");
        url = URI.create((certs == null ? "http://" : "https://") + address + ":2379");
        String peer = "http://" + address + ":2380";
        List<String> argv = new java.util.ArrayList<>(List.of("ip", "netns", "exec", netns, "etcd", "--name", "m1", "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", url.toString(), "--advertise-client-urls", url.toString(), "--listen-peer-urls", peer,
                "--initial-advertise-peer-urls", peer, "--initial-cluster", "m1=" + peer, "--log-level", "error"));
        if (certs != null) {
            argv.addAll(List.of("--cert-file", certs.resolve("server.pem").toString(), "--key-file", certs.resolve("server-key.pem").toString(),
                    "--client-cert-auth", "--trusted-ca-file", certs.resolve("ca.pem").toString()));
        }
        process = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(new File(dir.toFile(), "etcd.log")).start();
        try (EtcdClient c = new EtcdClient(List.of(url), Duration.ofSeconds(1), certs == null ? null : tls(certs, true))) {
            for (int i = 0; ; i++) {
                try {
                    c.get("/ready");
                    return;
                } catch (RuntimeException e) {
                    if (i > 100 || !process.isAlive()) {
                        String log = Files.readString(dir.resolve("etcd.log"));
                        close();
                        throw new IOException("etcd did not start: " + log, e);
                    }
                    Thread.sleep(100);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IOException(e);
        }
    }

    /**
     * A namespace of the sandbox's for an etcd member, joined to the test's own by a veth pair: the test's end
     * {@code PREFIX.1/24} (on {@code etc0}), the member's {@code PREFIX.2/24}. Returns the namespace's name.
     */
    public static String namespace(dev.patchbay.testing.Sandbox sandbox, String prefix) {
        String ns = sandbox.netns("etcd");
        sandbox.run("ip", "link", "add", "etc0", "type", "veth", "peer", "name", "eth0", "netns", ns);
        sandbox.run("ip", "addr", "add", prefix + ".1/24", "dev", "etc0");
        sandbox.run("ip", "link", "set", "etc0", "up");
        sandbox.run("ip", "-n", ns, "addr", "add", prefix + ".2/24", "dev", "eth0");
        sandbox.run("ip", "-n", ns, "link", "set", "eth0", "up");
        return ns;
    }

    /** The client's TLS with {@code certs}' CA, and its client certificate when {@code withCert}. */
    public static EtcdTls tls(Path certs, boolean withCert) {
        return new EtcdTls(certs.resolve("ca.pem"), withCert ? certs.resolve("client.pem") : null, withCert ? certs.resolve("client-key.pem") : null,
                "etcd-ca", "etcd-cert", "etcd-key");
    }

    /**
     * A CA, a server certificate for {@code address} and a client certificate, made with openssl in a new folder. The server's
     * is good for client authentication too: etcd 3.4's JSON gateway reaches its own gRPC endpoint with it.
     */
    public static Path certificates(String address) throws IOException, InterruptedException {
        Path d = Files.createTempDirectory("etcd-certs-");
        openssl(d, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "2", "-subj", "/CN=patchbay test CA");
        for (String who : List.of("server", "client")) {
            openssl(d, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", who + "-key.pem", "-out", who + ".csr", "-subj", "/CN=" + who);
            Files.writeString(d.resolve(who + ".ext"), who.equals("server") ? "subjectAltName=IP:" + address + "\nextendedKeyUsage=serverAuth,clientAuth\n"
                    : "extendedKeyUsage=clientAuth\n");
            openssl(d, "x509", "-req", "-in", who + ".csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial", "-out", who + ".pem",
                    "-days", "2", "-extfile", who + ".ext");
        }
        return d;
    }

    private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> argv = new java.util.ArrayList<>(List.of("openssl"));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("openssl " + String.join(" ", args) + ": " + out);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException ignored) {
            // a temporary folder left is no failure of the test
        }
    }
}
