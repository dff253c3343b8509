package dev.patchbay.commands.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.netlink.NetlinkNetworkStack;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The ip-style commands through picocli, under a root with the launcher's global options, against
 * the kernel. Checks output on stdout (text and JSON), messages on stderr and exit codes.
 */
@NetnsTest
class CliIT {
    final NetlinkNetworkStack stack = new NetlinkNetworkStack();

    /** The launcher root's global options, as RootCommand declares them. */
    @Command(name = "patchbay")
    static final class Root implements Runnable {
        @Option(names = {"-n", "--namespace"}, scope = ScopeType.INHERIT)
        String namespace;
        @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, defaultValue = "text")
        String output;
        @Option(names = "--state-dir", scope = ScopeType.INHERIT)
        String stateDir;

        @Override
        public void run() {
        }
    }

    record Run(int code, String out, String err) {
    }

    Run pb(String... args) {
        CommandLine root = new CommandLine(new Root());
        NetnsCommand netns = new NetnsCommand();
        netns.stack = stack;
        LinkCommand link = new LinkCommand();
        link.stack = stack;
        AddrCommand addr = new AddrCommand();
        addr.stack = stack;
        RouteCommand route = new RouteCommand();
        route.stack = stack;
        RuleCommand rule = new RuleCommand();
        rule.stack = stack;
        NeighCommand neigh = new NeighCommand();
        neigh.stack = stack;
        MonitorCommand monitor = new MonitorCommand();
        monitor.stack = stack;
        root.addSubcommand("monitor", monitor);
        root.addSubcommand("netns", netns).addSubcommand("link", link).addSubcommand("addr", addr)
                .addSubcommand("route", route).addSubcommand("rule", rule).addSubcommand("neigh", neigh);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        root.setOut(new PrintWriter(out, true));
        root.setErr(new PrintWriter(err, true));
        root.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("patchbay: " + ex.getMessage());
            return ex instanceof PatchbayException p ? p.exitCode() : 4;
        });
        int code = root.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    Run ok(String... args) {
        Run r = pb(args);
        assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
        return r;
    }

    @Test
    void vethBetweenNamespacesWithPing(Sandbox sandbox) {
        String red = sandbox.name("red");
        String blue = sandbox.name("blue");
        ok("netns", "add", red);
        ok("netns", "add", blue);
        assertTrue(ok("netns", "list").out().contains(red));
        ok("-n", red, "link", "add", "v0", "type", "veth", "peer", "name", "eth0", "netns", blue);
        ok("-n", red, "addr", "add", "10.8.0.1/24", "dev", "v0");
        ok("-n", blue, "addr", "add", "10.8.0.2/24", "dev", "eth0");
        ok("-n", red, "link", "set", "v0", "up");
        ok("-n", blue, "link", "set", "eth0", "up");
        assertTrue(sandbox.ping(red, "10.8.0.2"));
        JsonArray links = JsonParser.parseString(ok("-n", blue, "-o", "json", "link", "show").out()).getAsJsonArray();
        assertTrue(links.toString().contains("\"ifname\":\"eth0\""), links.toString());
        JsonArray addrs = JsonParser.parseString(ok("-n", red, "-o", "json", "addr", "show", "dev", "v0").out()).getAsJsonArray();
        assertTrue(addrs.toString().contains("\"local\":\"10.8.0.1\""), addrs.toString());
        assertTrue(ok("-n", red, "link", "show", "v0").out().contains("veth"));

        Run missing = pb("-n", red, "link", "set", "veth9", "up");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("link \"veth9\" not found in namespace \"" + red + "\""), missing.err());
        Run bad = pb("-n", red, "link", "set", "v0", "mtu", "lots");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("\"lots\""), bad.err());
        Run badAddr = pb("-n", red, "addr", "add", "10.8.0.300/24", "dev", "v0");
        assertEquals(2, badAddr.code(), badAddr.err());

        ok("netns", "del", red);
        ok("netns", "del", blue);
        assertEquals(1, pb("netns", "del", red).code());
    }

    @Test
    void routesRulesNeighboursAndBridgePorts(Sandbox sandbox) {
        String ns = sandbox.netns("rt");
        String pod = sandbox.netns("pod");
        ok("-n", ns, "link", "add", "br0", "type", "bridge");
        ok("-n", ns, "link", "add", "vp", "mtu", "1400", "type", "veth", "peer", "name", "eth0", "netns", pod);
        ok("-n", ns, "link", "set", "vp", "master", "br0", "up", "hairpin", "on");
        ok("-n", ns, "link", "set", "br0", "up");
        ok("-n", ns, "addr", "add", "10.9.0.1/24", "dev", "br0");
        ok("-n", pod, "addr", "add", "10.9.0.2/24", "dev", "eth0");
        ok("-n", pod, "link", "set", "eth0", "up");
        ok("-n", pod, "route", "add", "default", "via", "10.9.0.1");
        ok("-n", pod, "route", "add", "10.10.0.0/16", "dev", "eth0", "metric", "20", "table", "100");
        JsonArray routes = JsonParser.parseString(ok("-n", pod, "-o", "json", "route", "show").out()).getAsJsonArray();
        assertTrue(routes.toString().contains("\"dst\":\"default\",\"gateway\":\"10.9.0.1\""), routes.toString());
        assertTrue(ok("-n", pod, "route", "show", "table", "100").out().contains("10.10.0.0/16"));
        assertTrue(sandbox.ping(pod, "10.9.0.1"));
        ok("-n", ns, "rule", "add", "to", "10.9.0.2/32", "table", "main", "prio", "512");
        assertTrue(ok("-n", ns, "rule", "show").out().contains("512:\tfrom all to 10.9.0.2/32 lookup main"));
        assertTrue(sandbox.run("ip", "-n", ns, "rule").contains("to 10.9.0.2 lookup main"));
        ok("-n", ns, "rule", "del", "to", "10.9.0.2/32", "table", "main", "prio", "512");
        ok("-n", pod, "neigh", "add", "10.9.0.7", "lladdr", "02:00:00:00:00:07", "dev", "eth0");
        assertTrue(sandbox.run("ip", "-n", pod, "neigh").contains("10.9.0.7 dev eth0 lladdr 02:00:00:00:00:07 PERMANENT"));
        ok("-n", pod, "neigh", "del", "10.9.0.7", "dev", "eth0");
        assertTrue(sandbox.run("ip", "-d", "-n", ns, "link", "show", "vp").contains("hairpin on"));
        ok("-n", ns, "link", "set", "vp", "nomaster", "name", "vq", "mtu", "1300");
        assertTrue(sandbox.run("ip", "-n", ns, "link", "show", "vq").contains("mtu 1300"));
        ok("-n", pod, "route", "del", "default");
        ok("-n", ns, "link", "del", "vq");
        ok("-n", ns, "link", "del", "br0");
        assertEquals(1, JsonParser.parseString(ok("-n", ns, "-o", "json", "link", "show").out()).getAsJsonArray().size());
    }

    /**
     * Seed 004 §7-8 with patchbay commands alone: a pod holding a /32, reached over a host route and a
     * policy rule, with a static neighbour for its link-local gateway (the host end's MAC); pings both ways.
     */
    @Test
    void routedPodWithStaticNeighbourAndPolicyRule(Sandbox sandbox) {
        String host = sandbox.netns("host");
        String pod = sandbox.netns("pod");
        ok("-n", host, "link", "add", "veth0", "type", "veth", "peer", "name", "veth1", "netns", pod);
        ok("-n", host, "addr", "add", "10.0.0.17/32", "dev", "lo");
        ok("-n", host, "link", "set", "lo", "up");
        ok("-n", host, "link", "set", "veth0", "up");
        String mac = JsonParser.parseString(ok("-n", host, "-o", "json", "link", "show", "veth0").out()).getAsJsonArray()
                .get(0).getAsJsonObject().get("address").getAsString();
        ok("-n", pod, "addr", "add", "10.0.0.5/32", "dev", "veth1");
        ok("-n", pod, "link", "set", "veth1", "up");
        ok("-n", pod, "neigh", "add", "169.254.1.1", "lladdr", mac, "dev", "veth1", "nud", "permanent");
        ok("-n", pod, "route", "add", "169.254.1.1/32", "dev", "veth1", "scope", "link");
        ok("-n", pod, "route", "add", "default", "via", "169.254.1.1", "dev", "veth1");
        ok("-n", host, "route", "add", "10.0.0.5/32", "dev", "veth0", "scope", "link");
        ok("-n", host, "rule", "add", "to", "10.0.0.5/32", "table", "main", "prio", "512");
        assertTrue(sandbox.ping(pod, "10.0.0.17"), "the pod reaches the host through its static neighbour");
        assertTrue(sandbox.ping(host, "10.0.0.5"), "the host reaches the pod's /32 through its host route");
        assertTrue(sandbox.run("ip", "-n", pod, "neigh").contains("169.254.1.1 dev veth1 lladdr " + mac + " PERMANENT"));
        assertTrue(sandbox.run("ip", "-n", host, "route").contains("10.0.0.5 dev veth0 scope link"));
        assertTrue(sandbox.run("ip", "-n", host, "rule").contains("512:\tfrom all to 10.0.0.5 lookup main"));
        ok("-n", host, "rule", "del", "to", "10.0.0.5/32", "table", "main", "prio", "512");
        ok("-n", host, "link", "del", "veth0");
    }

    @Test
    void monitorPrintsEventsAsJsonLines(Sandbox sandbox) throws Exception {
        String ns = sandbox.netns("mon");
        Run[] result = new Run[1];
        Thread t = new Thread(() -> result[0] = pb("-n", ns, "-o", "json", "monitor", "--count", "2", "--timeout", "20"));
        t.start();
        for (int i = 0; i < 50 && t.isAlive(); i++) {
            sandbox.run("ip", "-n", ns, "link", "add", "mon" + i, "type", "bridge"); // until the monitor has seen two
            Thread.sleep(100);
        }
        t.join(25_000);
        assertEquals(0, result[0].code(), result[0].err());
        String[] lines = result[0].out().strip().split("\n");
        assertEquals(2, lines.length, result[0].out());
        assertTrue(JsonParser.parseString(lines[0]).getAsJsonObject().get("event").getAsString().equals("link new"), lines[0]);
        assertEquals(2, pb("monitor", "--count", "0").code());
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] cmd : new String[][] {{"netns", "add"}, {"link", "add"}, {"link", "set"}, {"link", "del"}, {"link", "show"},
            {"addr", "add"}, {"addr", "del"}, {"addr", "show"}, {"route", "add"}, {"route", "del"}, {"route", "show"},
            {"rule", "add"}, {"rule", "del"}, {"rule", "show"}, {"neigh", "add"}, {"neigh", "del"}, {"neigh", "show"}}) {
            Run r = pb(cmd[0], cmd[1], "--help");
            assertEquals(0, r.code());
            assertTrue(r.out().contains("Usage: patchbay " + cmd[0] + " " + cmd[1]), r.out());
        }
        assertEquals(0, pb("monitor", "--help").code());
    }
}
