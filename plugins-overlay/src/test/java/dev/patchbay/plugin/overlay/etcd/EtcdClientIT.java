package dev.patchbay.plugin.overlay.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.UnavailableException;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The client against a real etcd 3.4 in a throwaway namespace, joined to the test's by a veth pair. */
@NetnsTest
class EtcdClientIT {
    @Test
    void kvLeasesTransactionsAndWatchesAgainstARealEtcd(Sandbox sandbox) throws Exception {
        String ns = EtcdServer.namespace(sandbox, "10.231.0");
        try (EtcdServer server = new EtcdServer(ns, "10.231.0.2");
             EtcdClient c = new EtcdClient(List.of(URI.create("http://10.231.0.2:2399"), server.url), Duration.ofSeconds(2))) {
            // the first endpoint refuses: the second answers, and is asked first from then on
            c.put("/t/a", "1", 0);
            assertEquals("1", c.get("/t/a").orElseThrow().value());
            assertTrue(c.create("/t/b", "2", 0));
            assertFalse(c.create("/t/b", "3", 0), "a key that exists is not made again");
            assertEquals(List.of("1", "2"), c.range("/t/").kvs().stream().map(KeyValue::value).toList());

            long lease = c.grant(5);
            assertTrue(lease != 0);
            assertTrue(c.create("/t/leased", "x", lease));
            assertEquals(lease, c.get("/t/leased").orElseThrow().lease());
            long ttl = c.keepAlive(lease);
            assertTrue(ttl > 0 && ttl <= 5, "ttl " + ttl);
            assertTrue(c.timeToLive(lease) > 0);

            LinkedBlockingQueue<WatchEvent> seen = new LinkedBlockingQueue<>();
            long from = c.range("/t/").revision() + 1;
            try (AutoCloseable w = c.watch("/t/", from, seen::addAll, e -> { })) {
                c.put("/t/c", "3", 0);
                WatchEvent put = seen.poll(10, TimeUnit.SECONDS);
                assertEquals(new WatchEvent(WatchEvent.Type.PUT, c.get("/t/c").orElseThrow()), put);
                c.revoke(lease);
                WatchEvent gone = seen.poll(10, TimeUnit.SECONDS);
                assertEquals(WatchEvent.Type.DELETE, gone.type());
                assertEquals("/t/leased", gone.kv().key(), "revoking the lease deletes its key");
            }
            assertEquals(0, c.keepAlive(lease), "a revoked lease is gone");
            c.revoke(lease); // again: no error
            assertEquals(3, c.delete("/t/", true));
            assertTrue(c.range("/t/").kvs().isEmpty());
        }
        try (EtcdClient none = new EtcdClient(List.of(URI.create("http://10.231.0.1:2399")), Duration.ofSeconds(2))) {
            UnavailableException e = assertThrows(UnavailableException.class, () -> none.get("/x"));
            assertTrue(e.getMessage().contains("http://10.231.0.1:2399"), e.getMessage());
        }
    }
}
