package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The seeds' scenario end to end through the real CLI and the real bundles, on each firewall backend:
 * the sandbox JVM's namespace is the host, throwaway namespaces are the containers and "outside".
 * Verified by traffic; afterwards nothing of it is left.
 */
@NetnsTest
class NetworkScenarioIT {
    static Path state;
    static Path run;
    static Cli cli;
    static Process daemon;

    @BeforeAll
    static void daemon() throws Exception {
        state = Files.createTempDirectory("pb-state");
        run = Files.createTempDirectory("pb-run");
        cli = new Cli(state, run);
        daemon = cli.startDaemon();
    }

    @AfterAll
    static void stop() {
        if (daemon != null) {
            daemon.destroy();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"nftables", "iptables"})
    void bridgeMasqueradeAndPublishedPort(String backend, Sandbox sandbox) throws Exception {
        String red = sandbox.netns("red");
        String blue = sandbox.netns("blue");
        String outside = sandbox.netns("out");
        // the uplink: host 198.51.100.1 <-> outside 198.51.100.2, no route back to the containers
        sandbox.run("ip", "link", "add", "up0", "type", "veth", "peer", "name", "eth0", "netns", outside);
        sandbox.run("ip", "addr", "add", "198.51.100.1/24", "dev", "up0");
        sandbox.run("ip", "link", "set", "up0", "up");
        sandbox.run("ip", "-n", outside, "addr", "add", "198.51.100.2/24", "dev", "eth0");
        sandbox.run("ip", "-n", outside, "link", "set", "eth0", "up");
        try {
            cli.run("firewall", "backend", backend).ok();
            cli.run("network", "create", "web", "--subnet", "10.77.0.0/24", "--bridge", "pbweb0", "--masquerade", "--uplink", "up0").ok();
            cli.run("attach", "web", "--netns", red, "--publish", "8080:80/tcp").ok();
            cli.run("attach", "web", "--netns", blue).ok();
            String redIp = "10.77.0.2";
            String blueIp = "10.77.0.3";
            assertTrue(sandbox.ping(red, blueIp), "red -> blue");
            assertTrue(sandbox.ping(blue, "10.77.0.1"), "blue -> gateway");
            assertTrue(sandbox.ping(red, "198.51.100.2"), "red -> outside through masquerade");
            Process server = new ProcessBuilder("ip", "netns", "exec", red, "python3", "-m", "http.server", "80", "--bind", "0.0.0.0")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                assertTrue(httpOk(sandbox, outside, "http://198.51.100.1:8080/"), "outside -> published port");
                assertTrue(httpOk(sandbox, null, "http://127.0.0.1:8080/"), "host -> published port on localhost");
                assertTrue(httpOk(sandbox, blue, "http://10.77.0.1:8080/"), "blue -> published port on the gateway");
            } finally {
                server.destroy();
            }
            String ls = cli.run("-o", "json", "ls").ok().out();
            assertTrue(ls.contains(redIp) && ls.contains(blueIp), ls);
        } finally {
            cli.run("detach", "web", "--netns", red);
            cli.run("detach", "web", "--netns", blue);
            cli.run("network", "rm", "web");
            sandbox.run("ip", "link", "del", "up0");
        }
        assertNothingLeft(sandbox);
    }

    static boolean httpOk(Sandbox sandbox, String netns, String url) throws Exception {
        String[] curl = {"python3", "-c", "import urllib.request,sys;urllib.request.urlopen(sys.argv[1],timeout=3).read()", url};
        for (int attempt = 0; attempt < 3; attempt++) { // the server may still be starting
            Sandbox.Result r = netns == null ? Sandbox.exec(curl) : sandbox.execIn(netns, curl);
            if (r.code() == 0) {
                return true;
            }
            Thread.sleep(300);
        }
        return false;
    }

    static void assertNothingLeft(Sandbox sandbox) throws Exception {
        String links = sandbox.run("ip", "-o", "link", "show");
        assertFalse(links.contains("pbweb0") || links.contains("veth"), links);
        String nft = Sandbox.exec("nft", "list", "ruleset").output();
        assertFalse(nft.contains("patchbay"), nft);
        String ipt = Sandbox.exec("iptables-save").output();
        assertFalse(ipt.contains("PATCHBAY") && ipt.contains("-A PATCHBAY"), ipt);
        try (Stream<Path> files = Files.walk(state)) {
            assertEquals(0, files.filter(Files::isRegularFile)
                    .filter(f -> f.toString().contains("/networks/") || f.toString().contains("/attachments/") || f.toString().contains("/journal/"))
                    .count(), "no network, attachment or journal records left");
        }
    }
}
