package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The real daemon's metrics: a network, an attachment and a failing request, then scraped over the unix socket, with
 * {@code patchbay metrics} and over a loopback port; the counters, the latency buckets and the address gauges checked,
 * the text parsed line by line ({@link PromText}). A bad setting stops the daemon before it starts; without a daemon
 * {@code patchbay metrics} says so.
 */
@NetnsTest
class MetricsIT {

    /** GET /metrics over {@code at}; the body of a 200, an AssertionError otherwise. */
    private static String scrape(SocketAddress at) throws Exception {
        try (SocketChannel ch = at instanceof UnixDomainSocketAddress ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open()) {
            ch.connect(at);
            ch.write(ByteBuffer.wrap("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)));
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (ch.read(buf) >= 0) {
                got.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            String reply = got.toString(StandardCharsets.UTF_8);
            assertTrue(reply.startsWith("HTTP/1.0 200 OK\r\n"), reply);
            return reply.substring(reply.indexOf("\r\n\r\n") + 4);
        }
    }

    @Test
    void countsRequestsAndAddressesAndServesThemThreeWays(Sandbox sandbox) throws Exception {
        Cli cli = Cli.fresh();
        Path sock = Files.createTempDirectory("pb-metrics").resolve("metrics.sock");
        Process daemon = cli.startDaemon(Map.of("PATCHBAY_STATE_DIR", cli.stateDir().toString(), "PATCHBAY_METRICS", "unix:" + sock));
        String c1 = sandbox.netns("c1");
        try {
            cli.run("network", "create", "met", "--subnet", "10.86.0.0/24", "--bridge", "pbmet0").ok();
            cli.run("attach", "met", "--netns", c1).ok();
            assertEquals(1, cli.run("attach", "nosuch", "--netns", c1).code(), "a request that fails");
            assertEquals(2, cli.run("attach", "met", "--bogus").code(), "a usage error");
            Map<String, String> env = CniSeedIT.env("DEL", "", "eth0", CniVerbsIT.CNI_PATH, cli.stateDir(), cli.runDir());
            env.put("CNI_CONTAINERID", "metrics-none");
            CniShimTest.Run del = CniShimTest.shim(CniSeedIT.CNI_DIR.resolve("bridge"), env,
                    CniVerbsIT.bridge("1.0.0", "metcni", "10.87.0.0/24", "").toString());
            assertEquals(0, del.code(), "a CNI DEL of nothing, through the shim and the daemon: " + del.err());

            Map<String, Double> s = PromText.parse(scrape(UnixDomainSocketAddress.of(sock)));
            assertEquals(1.0, s.get("patchbay_requests_total{command=\"network create\",result=\"ok\"}"), s.toString());
            assertEquals(1.0, s.get("patchbay_requests_total{command=\"attach\",result=\"ok\"}"));
            assertEquals(1.0, s.get("patchbay_requests_total{command=\"attach\",result=\"failure\"}"));
            assertEquals(1.0, s.get("patchbay_requests_total{command=\"attach\",result=\"usage\"}"));
            assertEquals(3.0, s.get("patchbay_request_duration_seconds_count{command=\"attach\"}"));
            assertEquals(3.0, s.get("patchbay_request_duration_seconds_bucket{command=\"attach\",le=\"+Inf\"}"));
            assertEquals(3.0, s.get("patchbay_request_duration_seconds_bucket{command=\"attach\",le=\"30.0\"}"), "each within 30 s");
            assertTrue(s.get("patchbay_request_duration_seconds_sum{command=\"attach\"}") > 0);
            assertEquals(1.0, s.get("patchbay_requests_total{command=\"cni DEL\",result=\"ok\"}"), "a CNI call by its verb");
            assertEquals(1.0, s.get("patchbay_networks"));
            assertEquals(1.0, s.get("patchbay_network_attachments{network=\"met\"}"));
            assertEquals(1.0, s.get("patchbay_network_addresses{family=\"ipv4\",network=\"met\",state=\"used\"}"));
            assertEquals(252.0, s.get("patchbay_network_addresses{family=\"ipv4\",network=\"met\",state=\"free\"}"), "254 hosts, a gateway, one used");
            assertEquals(1.0, s.keySet().stream().filter(k -> k.startsWith("patchbay_firewall_backend{")).count());
            assertEquals(0.0, s.get("patchbay_plugin_problems{kind=\"bundle_not_started\"}"));
            assertEquals(0.0, s.get("patchbay_plugin_problems{kind=\"component_unsatisfied\"}"));
            assertEquals(0.0, s.get("patchbay_plugin_call_failures_total{reason=\"timed_out\"}"));
            assertTrue(s.containsKey("patchbay_repairs_total{kind=\"firewall\"}"));
            assertFalse(s.keySet().stream().anyMatch(k -> k.contains("nosuch") || k.contains("bogus")), "no word of a request is a label");

            Cli.Run printed = cli.run("metrics").ok();
            Map<String, Double> p = PromText.parse(printed.out());
            assertEquals(1.0, p.get("patchbay_requests_total{command=\"attach\",result=\"failure\"}"));
            assertEquals(1.0, p.get("patchbay_network_attachments{network=\"met\"}"));

            cli.run("detach", "met", "--netns", c1).ok();
            Map<String, Double> after = PromText.parse(scrape(UnixDomainSocketAddress.of(sock)));
            assertEquals(1.0, after.get("patchbay_requests_total{command=\"metrics\",result=\"ok\"}"));
            assertEquals(0.0, after.get("patchbay_network_addresses{family=\"ipv4\",network=\"met\",state=\"used\"}"), "the address is free again");
            assertEquals(253.0, after.get("patchbay_network_addresses{family=\"ipv4\",network=\"met\",state=\"free\"}"));
        } finally {
            cli.run("network", "rm", "--force", "met");
            daemon.destroy();
            assertTrue(daemon.waitFor(60, TimeUnit.SECONDS));
        }
        assertFalse(Files.exists(sock), "the metrics socket goes with the daemon");
    }

    /** Drift repair every second: a flushed table is put back, and counted (a bounded wait: the repair's own period). */
    @Test
    void repairsAreCounted(Sandbox sandbox) throws Exception {
        Cli cli = Cli.fresh();
        Process daemon = cli.startDaemon(Map.of("PATCHBAY_STATE_DIR", cli.stateDir().toString(), "PATCHBAY_REPAIR_SECONDS", "1"));
        String c1 = sandbox.netns("c1");
        try {
            cli.run("network", "create", "metfix", "--subnet", "10.89.0.0/24", "--bridge", "pbmetfix0", "--masquerade").ok();
            cli.run("firewall", "backend", "nftables").ok();
            cli.run("attach", "metfix", "--netns", c1).ok();
            double before = PromText.parse(cli.run("metrics").ok().out()).get("patchbay_repairs_total{kind=\"firewall\"}");
            sandbox.run("nft", "flush", "table", "inet", "patchbay");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            double now = before;
            while (now <= before && System.nanoTime() < deadline) {
                Thread.sleep(300);
                now = PromText.parse(cli.run("metrics").ok().out()).get("patchbay_repairs_total{kind=\"firewall\"}");
            }
            assertTrue(now > before, "the drift repair is counted: " + before + " -> " + now);
        } finally {
            cli.run("detach", "metfix", "--netns", c1);
            cli.run("network", "rm", "--force", "metfix");
            daemon.destroy();
            assertTrue(daemon.waitFor(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void aLoopbackPort(Sandbox sandbox) throws Exception {
        Cli cli = Cli.fresh();
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Process daemon = cli.startDaemon(Map.of("PATCHBAY_STATE_DIR", cli.stateDir().toString(), "PATCHBAY_METRICS", "127.0.0.1:" + port));
        try {
            cli.run("network", "ls").ok();
            Map<String, Double> s = PromText.parse(scrape(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
            assertEquals(1.0, s.get("patchbay_requests_total{command=\"network ls\",result=\"ok\"}"), s.toString());
            assertEquals(0.0, s.get("patchbay_networks"));
            assertFalse(s.keySet().stream().anyMatch(k -> k.startsWith("patchbay_firewall_backend")), "no network, no backend chosen: none probed");
        } finally {
            daemon.destroy();
            assertTrue(daemon.waitFor(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void aNonLoopbackAddressStopsTheDaemonNamingTheSetting(Sandbox sandbox) throws Exception {
        Cli cli = Cli.fresh();
        Cli bad = new Cli(cli.stateDir(), cli.runDir(), Map.of("PATCHBAY_METRICS", "0.0.0.0:9464", "PATCHBAY_CONFIG", "/dev/null"));
        Cli.Run r = bad.run("daemon");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("PATCHBAY_METRICS=\"0.0.0.0:9464\"") && r.err().contains("only a loopback address"), r.err());
        try (var files = Files.list(cli.runDir())) {
            assertEquals(0, files.count(), "no socket made");
        }
    }

    @Test
    void withoutADaemonTheCommandSaysSo(Sandbox sandbox) throws Exception {
        Cli.Run r = Cli.fresh().run("metrics"); // PATCHBAY_DAEMON_AUTOSTART=off in the tests' environment, and metrics starts none anyway
        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().contains("no daemon answered"), r.err());
        assertEquals("", r.out());
    }
}
