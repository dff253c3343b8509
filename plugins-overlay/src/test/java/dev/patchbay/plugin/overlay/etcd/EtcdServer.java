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
        dir = Files.createTempDirectory("etcd-");
        url = URI.create("http://" + address + ":2379");
        String peer = "http://" + address + ":2380";
        process = new ProcessBuilder("ip", "netns", "exec", netns, "etcd", "--name", "m1", "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", url.toString(), "--advertise-client-urls", url.toString(), "--listen-peer-urls", peer,
                "--initial-advertise-peer-urls", peer, "--initial-cluster", "m1=" + peer, "--log-level", "error")
                .redirectErrorStream(true).redirectOutput(new File(dir.toFile(), "etcd.log")).start();
        try (EtcdClient c = new EtcdClient(List.of(url), Duration.ofSeconds(1))) {
            for (int i = 0; ; i++) {
                try {
                    c.get("/ready");
                    return;
                } catch (RuntimeException e) {
                    if (i > 100 || !process.isAlive()) {
                        close();
                        throw new IOException("etcd did not start: " + Files.readString(dir.resolve("etcd.log")), e);
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
