package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A port published on a dual-stack network: one mapping ({@code 8080:80/tcp}) is one claim in the port index and
 * publishes on both families, reachable from outside over IPv4 and IPv6, from the host on its own addresses, from
 * another container and from the container itself (hairpin), on each backend. (Over IPv6 the host's {@code ::1} is not
 * among them: the kernel routes no loopback source out of a bridge, and IPv6 has no route_localnet.)
 */
@NetnsTest
class DualStackPublishIT {
    static final String HOST6 = "2001:db8:51::1";
    static final String OUTSIDE6 = "2001:db8:51::2";

    @ParameterizedTest
    @ValueSource(strings = {"nftables", "iptables"})
    void oneMappingPublishesOnBothFamilies(String backend, Sandbox sandbox) throws Exception {
        Cli cli = new Cli(Files.createTempDirectory("pb-state"), Files.createTempDirectory("pb-run"), Map.of("PATCHBAY_DAEMON", "off"));
        String red = sandbox.netns("red");
        String blue = sandbox.netns("blue");
        String outside = sandbox.netns("out");
        Topo.uplink(sandbox, outside);
        sandbox.run("ip", "addr", "add", HOST6 + "/64", "dev", "up0", "nodad");
        sandbox.run("ip", "-n", outside, "addr", "add", OUTSIDE6 + "/64", "dev", "eth0", "nodad");
        Process server = null;
        try {
            cli.run("firewall", "backend", backend).ok();
            cli.run("network", "create", "ds6", "--subnet", "10.73.0.0/24", "--ipv6", "fd00:73::/64", "--bridge", "pbds6", "--masquerade",
                    "--uplink", "up0").ok();
            Cli.Run published = cli.run("attach", "ds6", "--netns", red, "--publish", "8080:80/tcp");
            assertEquals(0, published.code(), "a dual-stack mapping is one claim, not two that collide: " + published.err());
            cli.run("attach", "ds6", "--netns", blue).ok();
            // the container's IPv6 address is usable at once (no duplicate address detection: the dad option's default)
            assertEquals("0", sandbox.execIn(blue, "sysctl", "-n", "net.ipv6.conf.eth0.accept_dad").output().strip());
            String six = sandbox.execIn(blue, "ip", "-6", "-o", "addr", "show", "dev", "eth0", "scope", "global").output();
            assertTrue(six.contains("fd00:73::") && !six.contains("tentative"), six);
            server = dualStackServer(red, 80);
            // from outside, to the host's uplink addresses
            assertEquals("hi", get(sandbox, outside, Topo.HOST_UPLINK_IP, 8080), "outside -> IPv4");
            assertEquals("hi", get(sandbox, outside, HOST6, 8080), "outside -> IPv6");
            // from the host itself: its loopback (IPv4), its uplink and gateway addresses (both families)
            assertEquals("hi", get(sandbox, null, "127.0.0.1", 8080), "host -> 127.0.0.1");
            assertEquals("hi", get(sandbox, null, Topo.HOST_UPLINK_IP, 8080), "host -> its IPv4 address");
            assertEquals("hi", get(sandbox, null, HOST6, 8080), "host -> its IPv6 address");
            assertEquals("hi", get(sandbox, null, "fd00:73::1", 8080), "host -> the IPv6 gateway");
            // from another container and from the container itself (hairpin), on both gateways
            assertEquals("hi", get(sandbox, blue, "10.73.0.1", 8080), "blue -> IPv4 gateway");
            assertEquals("hi", get(sandbox, blue, "fd00:73::1", 8080), "blue -> IPv6 gateway");
            assertEquals("hi", get(sandbox, red, "10.73.0.1", 8080), "red -> itself over IPv4 (hairpin)");
            assertEquals("hi", get(sandbox, red, "fd00:73::1", 8080), "red -> itself over IPv6 (hairpin)");
            assertEquals("hi", get(sandbox, red, HOST6, 8080), "red -> itself by the host's IPv6 address");

            // one claim: another container cannot take the same host port, in either family
            String green = sandbox.netns("green");
            Cli.Run taken = cli.run("attach", "ds6", "--netns", green, "--publish", "8080:81/tcp");
            assertEquals(2, taken.code(), taken.err());
            assertTrue(taken.err().contains("8080") && taken.err().contains("container \"" + red + "\""), taken.err());
            cli.run("unpublish", "ds6", "--netns", red, "8080:80/tcp").ok();
            assertFalse(get(sandbox, outside, HOST6, 8080).equals("hi"), "unpublished: IPv6 gone too");
            cli.run("publish", "ds6", "--netns", red, "8080:80/tcp").ok();
            assertEquals("hi", get(sandbox, outside, HOST6, 8080), "published again");
        } finally {
            if (server != null) {
                server.destroyForcibly();
            }
            cli.run("detach", "ds6", "--netns", red);
            cli.run("detach", "ds6", "--netns", blue);
            cli.run("network", "rm", "ds6");
            sandbox.run("ip", "link", "del", "up0");
        }
        for (String[] dump : new String[][] {{"nft", "list", "ruleset"}, {"iptables-save"}, {"ip6tables-save"}}) {
            String rules = Sandbox.exec(dump).output();
            assertFalse(rules.contains("pbds6") || rules.contains("10.73.0.") || rules.contains("fd00:73:"), "no rule of ds6 left:\n" + rules);
        }
    }

    /** A TCP server in {@code netns} on {@code port} of both families (two sockets, IPv6 only on the second): says "hi". */
    static Process dualStackServer(String netns, int port) throws Exception {
        String py = "import socket, threading, time\n"
                + "def serve(family, addr):\n"
                + "    s = socket.socket(family, socket.SOCK_STREAM)\n"
                + "    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                + "    if family == socket.AF_INET6: s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)\n"
                + "    s.bind((addr, " + port + ")); s.listen(64)\n"
                + "    while True:\n"
                + "        c, _ = s.accept(); c.sendall(b'hi\\n'); c.close()\n"
                + "for f, a in ((socket.AF_INET, '0.0.0.0'), (socket.AF_INET6, '::')):\n"
                + "    threading.Thread(target=serve, args=(f, a), daemon=True).start()\n"
                + "while True: time.sleep(60)\n";
        Process p = new ProcessBuilder("ip", "netns", "exec", netns, "python3", "-c", py)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Thread.sleep(500);
        return p;
    }

    /** What the server says to a connection from {@code netns} (null: the host) to {@code address:port}; retried (DAD). */
    static String get(Sandbox sandbox, String netns, String address, int port) throws Exception {
        String[] py = {"python3", "-c", "import socket,sys; s=socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2);"
                + " print(s.recv(16).decode().strip())", address, String.valueOf(port)};
        String last = "";
        for (int attempt = 0; attempt < 5; attempt++) { // a fresh IPv6 address may still be tentative a moment
            Sandbox.Result r = netns == null ? Sandbox.exec(py) : sandbox.execIn(netns, py);
            last = r.output().strip();
            if (r.code() == 0 && last.equals("hi")) {
                return last;
            }
            Thread.sleep(400);
        }
        return last;
    }
}
