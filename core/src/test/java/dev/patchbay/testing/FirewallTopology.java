package dev.patchbay.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test network around the sandbox JVM's namespace (the host): bridge pbt0 10.89.0.1/24 with
 * containers c1 (10.89.0.2) and c2 (10.89.0.3), and an "outside" namespace on 192.0.2.0/24 (TEST-NET-1)
 * that has no route to the containers. Shared by the firewall backends' kernel tests. Small python3 TCP servers answer with their name and the peer
 * address they see.
 */
public final class FirewallTopology implements AutoCloseable {
    public final Sandbox sb;
    public final String c1;
    public final String c2;
    public final String outside;
    private final List<Process> servers = new ArrayList<>();

    public FirewallTopology(Sandbox sb) {
        this.sb = sb;
        sb.run("sysctl", "-qw", "net.ipv4.ip_forward=1");
        sb.run("ip", "link", "add", "pbt0", "type", "bridge");
        sb.run("ip", "addr", "add", "10.89.0.1/24", "dev", "pbt0");
        sb.run("ip", "link", "set", "pbt0", "up");
        c1 = container("c1", "10.89.0.2");
        c2 = container("c2", "10.89.0.3");
        outside = sb.netns("out");
        sb.run("ip", "link", "add", "pbto", "type", "veth", "peer", "name", "eth0", "netns", outside);
        sb.run("ip", "addr", "add", "192.0.2.1/24", "dev", "pbto");
        sb.run("ip", "link", "set", "pbto", "up");
        sb.run("ip", "-n", outside, "addr", "add", "192.0.2.2/24", "dev", "eth0");
        sb.run("ip", "-n", outside, "link", "set", "eth0", "up");
    }

    private String container(String role, String addr) {
        String ns = sb.netns(role);
        String hostSide = "pbt" + role;
        sb.run("ip", "link", "add", hostSide, "type", "veth", "peer", "name", "eth0", "netns", ns);
        sb.run("ip", "link", "set", hostSide, "master", "pbt0", "up");
        sb.run("ip", "-n", ns, "addr", "add", addr + "/24", "dev", "eth0");
        sb.run("ip", "-n", ns, "link", "set", "eth0", "up");
        sb.run("ip", "-n", ns, "route", "add", "default", "via", "10.89.0.1");
        return ns;
    }

    static final String SERVER = """
            import socket,sys
            s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", int(sys.argv[1]))); s.listen(16)
            print("ready", flush=True)
            while True:
                c,a=s.accept()
                c.sendall((sys.argv[2]+" "+a[0]+"\\n").encode()); c.close()
            """;

    static final String CLIENT = """
            import socket,sys
            c=socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
            print(c.makefile().readline().strip())
            """;

    /** Starts a server in {@code netns} (null: the host) on {@code port}, answering "{@code name} PEER". */
    public void serve(String netns, int port, String name) throws IOException {
        List<String> argv = new ArrayList<>();
        if (netns != null) {
            argv.addAll(List.of("ip", "netns", "exec", netns));
        }
        argv.addAll(List.of("python3", "-c", SERVER, Integer.toString(port), name));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        servers.add(p);
        String line = new String(p.getInputStream().readNBytes(6), StandardCharsets.UTF_8);
        if (!line.startsWith("ready")) {
            throw new AssertionError("server did not start: " + line);
        }
    }

    /** Connects from {@code netns} (null: the host) and returns the server's line, or "FAIL ...". */
    public String connect(String netns, String addr, int port) {
        List<String> argv = new ArrayList<>();
        if (netns != null) {
            argv.addAll(List.of("ip", "netns", "exec", netns));
        }
        argv.addAll(List.of("python3", "-c", CLIENT, addr, Integer.toString(port)));
        Sandbox.Result r = Sandbox.exec(argv.toArray(String[]::new));
        return r.code() == 0 ? r.output().strip() : "FAIL " + r.output().strip().replaceAll("(?s).*\n", "");
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : servers) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        Sandbox.exec("ip", "link", "del", "pbto");
        Sandbox.exec("ip", "link", "del", "pbtc1");
        Sandbox.exec("ip", "link", "del", "pbtc2");
        Sandbox.exec("ip", "link", "del", "pbt0");
    }
}
