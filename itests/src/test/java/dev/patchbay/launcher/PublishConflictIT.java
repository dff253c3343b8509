package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A published port would silently take the traffic of a host process already listening there (the DNAT comes before
 * any socket), and a host address the host namespace does not have publishes nothing: both are refused when the port
 * is published, naming the port and the process, or the address, before anything changes.
 */
@NetnsTest
class PublishConflictIT {
    @RegisterExtension
    static final DaemonCli pb = new DaemonCli();

    @Test
    void aPortAHostProcessListensOnOrAnAddressTheHostLacksIsRefused(Sandbox sandbox) throws Exception {
        String red = sandbox.netns("red");
        Process tcp = null;
        Process udp = null;
        try {
            pb.cli().run("network", "create", "pc", "--subnet", "10.69.0.0/24", "--bridge", "pbpc0").ok();
            tcp = bound("import socket,time; s=socket.socket(socket.AF_INET6); s.bind(('::',8091)); s.listen(1); print('bound', flush=True); time.sleep(60)");
            udp = bound("import socket,time; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(('127.0.0.1',5353)); print('bound', flush=True); time.sleep(60)");
            String links = sandbox.run("ip", "-o", "link");

            Cli.Run taken = pb.cli().run("attach", "pc", "--netns", red, "--publish", "8091:80/tcp");
            assertEquals(1, taken.code(), taken.err());
            assertTrue(taken.err().contains("already listens on tcp [::]:8091") && taken.err().contains("pid " + tcp.pid() + " \"python3\""), taken.err());
            assertEquals(links, sandbox.run("ip", "-o", "link"), "refused before anything changed");
            assertFalse(pb.cli().run("-o", "json", "ls", "pc").ok().out().contains("containerId"), "and nothing recorded");

            Cli.Run elsewhere = pb.cli().run("attach", "pc", "--netns", red, "--publish", "192.0.2.77:8092:80/tcp");
            assertEquals(2, elsewhere.code(), elsewhere.err());
            assertTrue(elsewhere.err().contains("host address 192.0.2.77 is not an address of"), elsewhere.err());

            pb.cli().run("attach", "pc", "--netns", red).ok();
            Cli.Run udpTaken = pb.cli().run("publish", "pc", "--netns", red, "5353:53/udp");
            assertEquals(1, udpTaken.code(), udpTaken.err());
            assertTrue(udpTaken.err().contains("udp 127.0.0.1:5353") && udpTaken.err().contains("pid " + udp.pid()), udpTaken.err());
            pb.cli().run("publish", "pc", "--netns", red, "127.0.0.1:5354:53/udp").ok(); // the next port is free
            pb.cli().run("publish", "pc", "--netns", red, "10.69.0.1:8092:80/tcp").ok(); // the gateway is one of the host's addresses
            pb.cli().run("publish", "pc", "--netns", red, "8093:80/tcp").ok();
            String ports = pb.cli().run("-o", "json", "ls", "pc").ok().out();
            assertTrue(ports.contains("8093:80/tcp") && ports.contains("10.69.0.1:8092:80/tcp") && !ports.contains("8091"), ports);
        } finally {
            if (tcp != null) {
                tcp.destroyForcibly();
            }
            if (udp != null) {
                udp.destroyForcibly();
            }
            pb.cli().run("detach", "pc", "--netns", red);
            pb.cli().run("network", "rm", "pc");
        }
    }

    /**
     * A python3 process running {@code script}, once it said it has bound its socket (not after a fixed wait: on a loaded
     * machine half a second was not always enough, and the attach it must refuse went through).
     */
    private static Process bound(String script) throws Exception {
        Process p = new ProcessBuilder("python3", "-c", script).redirectErrorStream(true).start();
        java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
        String line = Within.async(out::readLine).get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals("bound", line, "python3 " + script);
        return p;
    }
}
