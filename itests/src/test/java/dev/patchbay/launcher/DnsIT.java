package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Names between containers, the real bin/patchbay and daemon in the sandbox (its namespace plays the host; /etc is an
 * overlay of the test's own, {@link EtcOverlay}): containers look each other up with the C library's resolver under
 * {@code ip netns exec} (which mounts /etc/netns/NS/resolv.conf over /etc/resolv.conf), A and AAAA on a dual-stack
 * network, an alias, NXDOMAIN; other names go to the host's resolv.conf's upstream (a throwaway namespace's); a resolver
 * of the host on 127.0.0.1:53 keeps its port; resolv.conf goes on detach; {@code --dns=false}; a restarted daemon serves
 * from the records. Waits are bounded and generous; the lookup times printed are measured, not asserted.
 */
@NetnsTest
class DnsIT {
    private EtcOverlay etc;
    private Cli cli;
    private Process daemon;

    @BeforeEach
    void start() throws Exception {
        etc = new EtcOverlay();
        cli = Cli.fresh();
        daemon = startDaemon();
    }

    private Process startDaemon() throws Exception {
        return cli.startDaemon(Map.of("PATCHBAY_STATE_DIR", cli.stateDir().toString()));
    }

    @AfterEach
    void stop() throws Exception {
        daemon.destroy();
        daemon.waitFor();
        etc.close();
    }

    @Test
    void containersFindEachOtherByNameAndAliasAAndAaaaNxdomainForTheRest(Sandbox sandbox) throws Exception {
        String red = sandbox.netns("red");
        String blue = sandbox.netns("blue");
        try {
            cli.run("network", "create", "dn", "--subnet", "10.151.0.0/24", "--ipv6", "fd51::/64").ok();
            cli.run("attach", "dn", "--netns", red, "--alias", "db,cache").ok(); // the dns plugin's attach option, as a flag
            cli.run("attach", "dn", "--netns", blue).ok();
            String conf = Files.readString(Path.of("/etc/netns", blue, "resolv.conf"));
            assertTrue(conf.contains("nameserver 10.151.0.1\nnameserver fd51::1\nsearch patchbay.internal\n"), conf);

            long t0 = System.nanoTime();
            assertEquals("10.151.0.2", first(sandbox.execIn(blue, "getent", "ahostsv4", red)));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals("fd51::2", first(sandbox.execIn(blue, "getent", "ahostsv6", red)));
            assertEquals("10.151.0.2", first(sandbox.execIn(blue, "getent", "ahostsv4", "cache")));
            assertEquals("10.151.0.3", first(sandbox.execIn(red, "getent", "ahostsv4", blue + ".patchbay.internal")));
            assertEquals(2, sandbox.execIn(blue, "getent", "hosts", "nobody.patchbay.internal").code(), "not found");
            // what the server answers, shown: inspect and topology list the network's DNS (its own bundle's feature)
            com.google.gson.JsonObject dns = com.google.gson.JsonParser.parseString(cli.run("-o", "json", "network", "inspect", "dn").ok().out())
                    .getAsJsonObject().getAsJsonArray("features").get(0).getAsJsonObject();
            assertEquals("dns", dns.get("kind").getAsString());
            assertEquals(java.util.Set.of("cache", "db", blue, red), dns.getAsJsonObject("data").getAsJsonObject("names").keySet());
            assertEquals("[\"10.151.0.1:53\",\"[fd51::1]:53\"]", dns.getAsJsonObject("data").get("servers").toString());
            com.google.gson.JsonObject drawn = com.google.gson.JsonParser.parseString(cli.run("topology", "-o", "json").ok().out())
                    .getAsJsonObject().getAsJsonArray("networks").get(0).getAsJsonObject().getAsJsonArray("features").get(0).getAsJsonObject();
            assertEquals(dns.get("title"), drawn.get("title"));

            Message nx = ask("10.151.0.1", "nobody.patchbay.internal.", Type.A);
            assertEquals(Rcode.NXDOMAIN, nx.getRcode());
            assertTrue(nx.getHeader().getFlag(Flags.AA), nx.toString());
            t0 = System.nanoTime();
            Message aaaa = ask("fd51::1", "db.patchbay.internal.", Type.AAAA);
            long direct = (System.nanoTime() - t0) / 1_000;
            assertEquals(List.of("fd51:0:0:0:0:0:0:2"), aaaa.getSection(Section.ANSWER).stream().map(Record::rdataToString).toList());
            t0 = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                ask("10.151.0.1", "red.patchbay.internal.", Type.A);
            }
            long warm = (System.nanoTime() - t0) / 100_000;
            System.out.printf("getent ahostsv4 under ip netns exec: %d ms (process starts included); the first AAAA query over IPv6:"
                    + " %d us; then A queries, one at a time: %d us each on average%n", ms, direct, warm);

            cli.run("detach", "dn", "--netns", red).ok();
            assertFalse(Files.exists(Path.of("/etc/netns", red)), "resolv.conf (and its folder) gone on detach");
            assertEquals(Rcode.NXDOMAIN, ask("10.151.0.1", red + ".patchbay.internal.", Type.A).getRcode(), "a detached name is gone");
            assertTrue(Files.exists(Path.of("/etc/netns", blue, "resolv.conf")));
        } finally {
            cli.run("network", "rm", "dn", "--force");
        }
        assertFalse(Files.exists(Path.of("/etc/netns", blue)), "network rm --force detaches: its resolv.conf went too");
    }

    @Test
    void otherNamesGoUpstreamAndTheHostsOwnResolverKeepsItsPort(Sandbox sandbox) throws Exception {
        String up = sandbox.netns("up");
        String blue = sandbox.netns("blue");
        sandbox.run("ip", "link", "add", "pbdnsup", "type", "veth", "peer", "name", "eth0", "netns", up);
        sandbox.run("ip", "addr", "add", "10.152.0.1/30", "dev", "pbdnsup");
        sandbox.run("ip", "link", "set", "pbdnsup", "up");
        sandbox.run("ip", "-n", up, "addr", "add", "10.152.0.2/30", "dev", "eth0");
        sandbox.run("ip", "-n", up, "link", "set", "eth0", "up");
        Files.writeString(Path.of("/etc/resolv.conf"), "nameserver 10.152.0.2\n");
        Process upstream = new ProcessBuilder("ip", "netns", "exec", up, "python3", "-c", UPSTREAM, "10.152.0.2", "192.0.2.77")
                .redirectErrorStream(true).start();
        try (DatagramSocket hostResolver = new DatagramSocket(new InetSocketAddress("127.0.0.1", 53))) {
            assertEquals("ready", new BufferedReader(new InputStreamReader(upstream.getInputStream(), StandardCharsets.UTF_8)).readLine());
            cli.run("network", "create", "dup", "--subnet", "10.153.0.0/24").ok();
            cli.run("attach", "dup", "--netns", blue).ok();
            long t0 = System.nanoTime();
            assertEquals("192.0.2.77", first(sandbox.execIn(blue, "getent", "ahostsv4", "www.example.test")));
            System.out.printf("a forwarded lookup under ip netns exec: %d ms%n", (System.nanoTime() - t0) / 1_000_000);

            // the host's resolver on 127.0.0.1:53 still holds its port and gets what is sent to it
            try (DatagramSocket client = new DatagramSocket()) {
                client.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, new InetSocketAddress("127.0.0.1", 53)));
                hostResolver.setSoTimeout(10_000);
                DatagramPacket got = new DatagramPacket(new byte[16], 16);
                hostResolver.receive(got);
                assertEquals(3, got.getLength());
            }
            java.util.Set<String> listening = new java.util.TreeSet<>();
            for (String line : sandbox.run("ss", "-Hlun", "sport", "=", ":53").split("\n")) {
                String[] w = line.trim().split("\\s+");
                if (w.length > 3) {
                    listening.add(w[3].replace("[::ffff:", "").replace("]", ""));
                }
            }
            assertEquals(java.util.Set.of("127.0.0.1:53", "10.153.0.1:53"), listening, "the daemon binds the gateway only");
        } finally {
            upstream.destroy();
            upstream.waitFor();
            Sandbox.exec("ip", "link", "del", "pbdnsup");
            cli.run("network", "rm", "dup", "--force");
        }
    }

    @Test
    void dnsFalseServesNothingAndARestartedDaemonServesTheRecords(Sandbox sandbox) throws Exception {
        String red = sandbox.netns("red");
        String blue = sandbox.netns("blue");
        try {
            cli.run("network", "create", "doff", "--subnet", "10.154.0.0/24", "--dns=false").ok();
            cli.run("attach", "doff", "--netns", red).ok();
            assertFalse(Files.exists(Path.of("/etc/netns", red)), "no resolv.conf where there is no server");
            assertThrows(java.io.IOException.class, () -> ask("10.154.0.1", red + ".patchbay.internal.", Type.A));

            cli.run("network", "create", "don", "--subnet", "10.155.0.0/24").ok();
            cli.run("attach", "don", "--netns", blue).ok();
            daemon.destroy();
            daemon.waitFor();
            daemon = startDaemon();
            long t0 = System.nanoTime();
            assertTrue(within(20, () -> sandbox.execIn(blue, "getent", "ahostsv4", blue).code() == 0), "served again after a restart");
            System.out.printf("after the restart, served within %d ms of the socket%n", (System.nanoTime() - t0) / 1_000_000);
            assertEquals("10.155.0.2", first(sandbox.execIn(blue, "getent", "ahostsv4", blue)));
        } finally {
            cli.run("network", "rm", "doff", "--force");
            cli.run("network", "rm", "don", "--force");
        }
    }

    private static boolean within(int seconds, java.util.function.BooleanSupplier check) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!check.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    /** The first address of {@code getent ahosts*}'s output. */
    private static String first(Sandbox.Result r) {
        assertEquals(0, r.code(), r.output());
        return r.output().split("\\s+")[0];
    }

    private static Message ask(String server, String name, int type) throws Exception {
        SimpleResolver r = new SimpleResolver(new InetSocketAddress(InetAddress.getByName(server), 53));
        r.setTimeout(Duration.ofSeconds(5));
        return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
    }

    /** A resolver that answers every A question with argv[2] (any other type: no data), on argv[1]:53. */
    private static final String UPSTREAM = String.join("\n",
            "import socket, struct, sys",
            "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
            "s.bind((sys.argv[1], 53))",
            "print('ready', flush=True)",
            "while True:",
            "    q, peer = s.recvfrom(4096)",
            "    i = 12",
            "    while q[i] != 0:",
            "        i += q[i] + 1",
            "    qtype = struct.unpack('!H', q[i + 1:i + 3])[0]",
            "    answer = b'\\xc0\\x0c' + struct.pack('!HHIH', 1, 1, 60, 4) + socket.inet_aton(sys.argv[2]) if qtype == 1 else b''",
            "    s.sendto(q[:2] + struct.pack('!HHHHH', 0x8180, 1, 1 if answer else 0, 0, 0) + q[12:i + 5] + answer, peer)");
}
