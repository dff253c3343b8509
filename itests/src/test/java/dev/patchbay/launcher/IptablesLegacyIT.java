package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Where {@code iptables} is the legacy variant, the iptables backend writes there (and only there):
 * masquerade and a published port work, a flushed nat table is shown degraded and put back whole by gc, and removal
 * leaves the legacy tables as they were.
 */
@NetnsTest
class IptablesLegacyIT {

    @Test
    void theLegacyVariantWorksToo(Sandbox sandbox) throws Exception {
        Path bin = Files.createTempDirectory("legacy-bin");
        for (String tool : new String[] {"iptables", "ip6tables"}) {
            Files.createSymbolicLink(bin.resolve(tool), Path.of("/usr/sbin/" + tool + "-legacy"));
        }
        Cli cli = new Cli(Files.createTempDirectory("pb-state"), Files.createTempDirectory("pb-run"),
                Map.of("PATH", bin + ":" + System.getenv("PATH"), "PATCHBAY_DAEMON", "off"));
        String red = sandbox.netns("red");
        String outside = sandbox.netns("out");
        Topo.uplink(sandbox, outside);
        Process server = null;
        try {
            cli.run("firewall", "backend", "iptables").ok();
            cli.run("network", "create", "leg", "--subnet", "10.74.0.0/24", "--bridge", "pbleg0", "--masquerade", "--uplink", "up0").ok();
            cli.run("attach", "leg", "--netns", red, "--publish", "9000:9000/tcp").ok();
            assertTrue(Sandbox.exec("iptables-legacy-save").output().contains("-j DNAT"), "the rules are in the legacy tables");
            assertFalse(Sandbox.exec("iptables-nft-save").output().contains("PATCHBAY"), "and not in the nf_tables ones");
            assertTrue(sandbox.ping(red, Topo.OUTSIDE_IP), "masquerade");
            server = Topo.echoServer(red, 9000);
            String py = "import socket; s=socket.create_connection(('" + Topo.HOST_UPLINK_IP + "',9000),timeout=3); s.sendall(b'x\\n'); assert s.recv(10)==b'x\\n'";
            assertEquals(0, sandbox.execIn(outside, "python3", "-c", py).code(), "published port");

            sandbox.run("iptables-legacy", "-t", "nat", "-F"); // someone flushes the nat table: jumps, fixed rules, DNAT, masquerade
            assertTrue(cli.run("network", "ls").ok().out().contains("degraded"), "network ls reads the legacy tables");
            cli.run("gc").ok();
            assertTrue(cli.run("network", "ls").ok().out().contains(" ok"), "gc put back all of it");
            assertEquals(0, sandbox.execIn(outside, "python3", "-c", py).code(), "published port, after gc");
            assertTrue(sandbox.ping(red, Topo.OUTSIDE_IP), "masquerade, after gc");
        } finally {
            if (server != null) {
                server.destroyForcibly();
            }
            cli.run("detach", "leg", "--netns", red);
            cli.run("network", "rm", "leg");
            sandbox.run("ip", "link", "del", "up0");
        }
        String legacyAfter = Sandbox.exec("iptables-legacy-save").output();
        assertFalse(legacyAfter.contains("PATCHBAY") || legacyAfter.contains("-A "), "no rule left in the legacy tables:\n" + legacyAfter);
    }
}
