package dev.patchbay.plugin.overlay.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The client against an etcd that takes clients over TLS with certificates of its CA only (made by the test with openssl). */
@NetnsTest
class EtcdTlsIT {
    @Test
    void clientCertificatesOverHttps(Sandbox sandbox) throws Exception {
        String ns = EtcdServer.namespace(sandbox, "10.232.0");
        Path certs = EtcdServer.certificates("10.232.0.2");
        try (EtcdServer server = new EtcdServer(ns, "10.232.0.2", certs)) {
            assertEquals("https", server.url.getScheme());
            try (EtcdClient c = new EtcdClient(List.of(server.url), Duration.ofSeconds(2), EtcdServer.tls(certs, true))) {
                c.put("/t/a", "1", 0);
                assertEquals("1", c.get("/t/a").orElseThrow().value());
            }
            try (EtcdClient noCert = new EtcdClient(List.of(server.url), Duration.ofSeconds(2), EtcdServer.tls(certs, false))) {
                PatchbayException e = assertThrows(PatchbayException.class, () -> noCert.get("/t/a"), "no client certificate: refused");
                assertTrue(e.getMessage().contains(server.url.toString()), e.getMessage());
            }
            try (EtcdClient noCa = new EtcdClient(List.of(server.url), Duration.ofSeconds(2), null)) {
                assertThrows(PatchbayException.class, () -> noCa.get("/t/a"), "a server of an unknown CA: refused");
            }
            InvalidInputException half = assertThrows(InvalidInputException.class,
                    () -> new EtcdTls(certs.resolve("ca.pem"), certs.resolve("client.pem"), null, "etcd-ca", "etcd-cert", "etcd-key"));
            assertTrue(half.getMessage().contains("etcd-key"), half.getMessage());
            InvalidInputException notAKey = assertThrows(InvalidInputException.class,
                    () -> new EtcdTls(null, certs.resolve("client.pem"), certs.resolve("client.pem"), "etcd-ca", "etcd-cert", "etcd-key").context());
            assertTrue(notAKey.getMessage().contains("etcd-key") && notAKey.getMessage().contains("client.pem"), notAKey.getMessage());
        } finally {
            try (var files = Files.walk(certs)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
