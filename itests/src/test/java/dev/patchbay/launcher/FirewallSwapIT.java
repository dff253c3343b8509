package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Operators swap the firewall backend with containers running: a TCP connection through a published
 * port stays open and keeps working across nftables -> iptables -> nftables, new connections work
 * after each swap, and the backend swapped away from keeps nothing. The daemon also puts back rules
 * someone flushed.
 */
@NetnsTest
class FirewallSwapIT {

    @Test
    void swapWhileAConnectionStaysOpen(Sandbox sandbox) throws Exception {
        Path state = Files.createTempDirectory("pb-state");
        Cli cli = new Cli(state, Files.createTempDirectory("pb-run"));
        Process daemon = cli.startDaemon();
        String red = sandbox.netns("red");
        String outside = sandbox.netns("out");
        Topo.uplink(sandbox, outside);
        Process server = null;
        Process client = null;
        try {
            cli.run("firewall", "backend", "nftables").ok();
            cli.run("network", "create", "sw", "--subnet", "10.81.0.0/24", "--bridge", "pbsw0", "--masquerade", "--uplink", "up0").ok();
            cli.run("attach", "sw", "--netns", red, "--publish", "9000:9000/tcp").ok();
            server = Topo.echoServer(red, 9000);
            String py = "import socket,sys\n"
                    + "s=socket.create_connection(('" + Topo.HOST_UPLINK_IP + "',9000),timeout=5); f=s.makefile('rw')\n"
                    + "for line in sys.stdin:\n"
                    + "    f.write(line); f.flush(); print(f.readline().strip(), flush=True)\n";
            client = new ProcessBuilder("ip", "netns", "exec", outside, "python3", "-c", py).redirectErrorStream(true).start();
            OutputStream toClient = client.getOutputStream();
            BufferedReader fromClient = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));

            assertEquals("before", echo(toClient, fromClient, "before"));
            for (String backend : new String[] {"iptables", "nftables"}) {
                cli.run("firewall", "backend", backend).ok();
                assertEquals("after-" + backend, echo(toClient, fromClient, "after-" + backend), "the open connection survives the swap to " + backend);
                assertTrue(newConnection(sandbox, outside), "a new connection works on " + backend);
                String nft = Sandbox.exec("nft", "list", "ruleset").output();
                String ipt = Sandbox.exec("iptables-save").output();
                if (backend.equals("iptables")) {
                    assertFalse(nft.contains("table inet patchbay"), "nothing left in nftables:\n" + nft);
                    assertTrue(ipt.contains("-j DNAT"), ipt);
                } else {
                    assertTrue(nft.contains("table inet patchbay"), nft);
                    assertFalse(ipt.contains("-A PATCHBAY"), "nothing left in iptables:\n" + ipt);
                }
            }
        } finally {
            if (client != null) {
                client.destroyForcibly();
            }
            if (server != null) {
                server.destroyForcibly();
            }
            cli.run("detach", "sw", "--netns", red);
            cli.run("network", "rm", "sw");
            daemon.destroy();
            daemon.waitFor(10, TimeUnit.SECONDS);
            sandbox.run("ip", "link", "del", "up0");
        }
    }

    @Test
    void theDaemonPutsBackFlushedRules(Sandbox sandbox) throws Exception {
        Path state = Files.createTempDirectory("pb-state");
        Cli cli = new Cli(state, Files.createTempDirectory("pb-run"));
        Process daemon = cli.startDaemon(Map.of("PATCHBAY_STATE_DIR", state.toString(), "PATCHBAY_REPAIR_SECONDS", "1"));
        String red = sandbox.netns("red");
        String outside = sandbox.netns("out");
        Topo.uplink(sandbox, outside);
        Process server = null;
        try {
            cli.run("firewall", "backend", "nftables").ok();
            cli.run("network", "create", "dr", "--subnet", "10.82.0.0/24", "--bridge", "pbdr0", "--masquerade", "--uplink", "up0").ok();
            cli.run("attach", "dr", "--netns", red, "--publish", "9000:9000/tcp").ok();
            server = Topo.echoServer(red, 9000);
            assertTrue(newConnection(sandbox, outside));
            sandbox.run("nft", "delete", "table", "inet", "patchbay"); // someone flushes our rules
            boolean back = false;
            for (int i = 0; i < 50 && !back; i++) {
                Thread.sleep(200);
                back = Sandbox.exec("nft", "list", "table", "inet", "patchbay").code() == 0;
            }
            assertTrue(back, "the daemon re-created the table");
            assertTrue(newConnection(sandbox, outside), "published port works again");
        } finally {
            if (server != null) {
                server.destroyForcibly();
            }
            cli.run("detach", "dr", "--netns", red);
            cli.run("network", "rm", "dr");
            daemon.destroy();
            daemon.waitFor(10, TimeUnit.SECONDS);
            sandbox.run("ip", "link", "del", "up0");
        }
    }

    /**
     * A second process swaps the backend back and forth ({@code PATCHBAY_DAEMON=off}) while the daemon attaches and
     * detaches a container publishing 8080: one writer of the namespace's firewall at a time, and the daemon reads the
     * kernel again after another process changed it. No attach fails, and no DNAT is left of a detached container.
     */
    @Test
    void aSwapFromAnotherProcessRacesNoAttach(Sandbox sandbox) throws Exception {
        Path state = Files.createTempDirectory("pb-state");
        Path run = Files.createTempDirectory("pb-run");
        Cli cli = new Cli(state, run);
        Cli direct = new Cli(state, run, Map.of("PATCHBAY_DAEMON", "off"));
        Process daemon = cli.startDaemon(Map.of("PATCHBAY_STATE_DIR", state.toString(), "PATCHBAY_REPAIR_SECONDS", "3600"));
        String red = sandbox.netns("red");
        java.util.concurrent.atomic.AtomicBoolean swapping = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.List<String> failures = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        try {
            cli.run("firewall", "backend", "nftables").ok();
            cli.run("network", "create", "race", "--subnet", "10.83.0.0/24", "--bridge", "pbrace0").ok();
            Thread swapper = new Thread(() -> {
                for (int i = 0; i < 6; i++) {
                    for (String b : new String[] {"iptables", "nftables"}) {
                        Cli.Run r = direct.run("firewall", "backend", b);
                        if (r.code() != 0) {
                            failures.add("swap to " + b + ": " + r.err());
                        }
                    }
                }
                swapping.set(false);
            });
            swapper.start();
            int attaches = 0;
            while (swapping.get()) {
                Cli.Run a = cli.run("attach", "race", "--netns", red, "--publish", "8080:80/tcp");
                attaches++;
                if (a.code() != 0) {
                    failures.add("attach " + attaches + ": " + a.err());
                }
                Cli.Run d = cli.run("detach", "race", "--netns", red);
                if (d.code() != 0) {
                    failures.add("detach " + attaches + ": " + d.err());
                }
            }
            swapper.join();
            assertTrue(attaches > 3, "the daemon attached while the swaps ran: " + attaches);
            assertEquals(java.util.List.of(), failures, attaches + " attaches");
            String nft = Sandbox.exec("nft", "list", "ruleset").output();
            String ipt = Sandbox.exec("iptables-save").output();
            assertFalse(nft.contains("8080"), "no DNAT of a detached container in nftables:\n" + nft);
            assertFalse(ipt.contains("8080"), "no DNAT of a detached container in iptables:\n" + ipt);
            Cli.Run again = cli.run("attach", "race", "--netns", red, "--publish", "8080:80/tcp").ok();
            assertTrue(Sandbox.exec("nft", "list", "ruleset").output().contains("8080"), again.out());
        } finally {
            swapping.set(false);
            cli.run("detach", "race", "--netns", red);
            cli.run("network", "rm", "race");
            daemon.destroy();
            daemon.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String echo(OutputStream to, BufferedReader from, String line) throws Exception {
        to.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        to.flush();
        String reply = from.readLine();
        return reply == null ? "<connection closed>" : reply;
    }

    private static boolean newConnection(Sandbox sandbox, String outside) {
        String py = "import socket; s=socket.create_connection(('" + Topo.HOST_UPLINK_IP + "',9000),timeout=3);"
                + " s.sendall(b'x\\n'); assert s.recv(10)==b'x\\n'";
        return sandbox.execIn(outside, "python3", "-c", py).code() == 0;
    }
}
