package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code patchbay explain FROM TO [PORT/PROTO]} through the real daemon, on each firewall backend: a path that works
 * hop by hop, then one broken by a missing route, by another tool's FORWARD drop (an nft table of its own; an
 * iptables rule), by isolated networks, and a published port whose container is gone, each read from {@code -o json}.
 */
@NetnsTest
class ExplainIT {
    record Hop(String step, String status, String detail, String table, String chain, String rule) {
    }

    record Path0(List<Hop> hops, boolean ok, String broken) {
        Hop last() {
            return hops.get(hops.size() - 1);
        }

        Hop step(String step) {
            return hops.stream().filter(h -> h.step().equals(step)).findFirst().orElseThrow(() -> new AssertionError("no hop " + step + " in " + hops));
        }
    }

    static Path state;
    static Cli cli;
    static Process daemon;

    @BeforeAll
    static void daemon() throws Exception {
        state = Files.createTempDirectory("pb-state");
        cli = new Cli(state, Files.createTempDirectory("pb-run"));
        daemon = cli.startDaemon();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (daemon != null) {
            daemon.destroy();
            daemon.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    static Path0 explain(String... args) {
        List<String> argv = new ArrayList<>(List.of("-o", "json", "explain"));
        argv.addAll(List.of(args));
        Cli.Run r = cli.run(argv.toArray(String[]::new));
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        List<Hop> hops = new ArrayList<>();
        for (JsonElement e : o.getAsJsonArray("hops")) {
            JsonObject h = e.getAsJsonObject();
            hops.add(new Hop(h.get("step").getAsString(), h.get("status").getAsString(), h.get("detail").getAsString(), str(h, "table"), str(h, "chain"), str(h, "rule")));
        }
        Path0 p = new Path0(hops, o.get("ok").getAsBoolean(), str(o, "broken"));
        assertEquals(p.ok() ? 0 : 1, r.code(), "exit 1 exactly when the path is broken: " + r.err() + r.out());
        assertEquals(p.ok(), hops.stream().noneMatch(h -> h.status().equals("broken")), hops.toString());
        if (!p.ok()) {
            assertEquals("broken", p.last().status(), "the walk stops at the break: " + hops);
            assertEquals(p.last().step(), p.broken());
        }
        return p;
    }

    private static String str(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull() ? o.get(key).getAsString() : null;
    }

    @ParameterizedTest
    @ValueSource(strings = {"nftables", "iptables"})
    void eachHopAndWhereThePathBreaks(String backend, Sandbox sandbox) throws Exception {
        String red = sandbox.netns("red");
        String blue = sandbox.netns("blue");
        String outside = sandbox.netns("out");
        Topo.uplink(sandbox, outside);
        sandbox.run("ip", "route", "add", "default", "via", Topo.OUTSIDE_IP);
        try {
            cli.run("firewall", "backend", backend).ok();
            cli.run("network", "create", "ex", "--subnet", "10.71.0.0/24", "--bridge", "pbex0", "--masquerade", "--uplink", "up0", "--isolate").ok();
            cli.run("network", "create", "ex2", "--subnet", "10.72.0.0/24", "--bridge", "pbex1", "--isolate").ok();
            cli.run("attach", "ex", "--netns", red, "--publish", "8091:80/tcp").ok();
            cli.run("attach", "ex2", "--netns", blue).ok();

            // works: every hop ok, the firewall's accept and the masquerade named, the packet leaves by the uplink
            Path0 works = explain(red, "outside");
            assertTrue(works.ok(), works.hops().toString());
            assertNull(works.broken());
            for (String step : List.of("namespace", "route", "interface", "bridge port", "forwarding", "host route", "firewall", "nat", "leaves", "answer")) {
                assertEquals("ok", works.step(step).status(), works.step(step).toString());
            }
            assertTrue(works.step("nat").rule().contains("masquerade") || works.step("nat").rule().contains("MASQUERADE"), works.step("nat").toString());
            assertEquals("out of up0 from " + Topo.HOST_UPLINK_IP, works.step("leaves").detail());
            assertTrue(works.step("answer").detail().contains("answered a ping"), works.step("answer").toString());
            assertTrue(cli.run("explain", red, Topo.OUTSIDE_IP).ok().out().endsWith("the path works\n"), "the text form ends saying so");

            // a missing route in the container
            sandbox.execIn(red, "ip", "route", "del", "default");
            Path0 noRoute = explain(red, "outside");
            assertEquals("route", noRoute.broken());
            assertTrue(noRoute.last().detail().contains("no route to " + Topo.OUTSIDE_IP), noRoute.last().toString());
            sandbox.execIn(red, "ip", "route", "add", "default", "via", "10.71.0.1");

            // another tool's FORWARD drop: an nft table of its own, then an iptables rule, each named with table and chain
            sandbox.run("nft", "add", "table", "inet", "othertool");
            sandbox.run("nft", "add", "chain", "inet", "othertool", "forward", "{ type filter hook forward priority 0; }");
            sandbox.run("nft", "add", "rule", "inet", "othertool", "forward", "ip", "daddr", Topo.OUTSIDE_IP, "drop");
            Path0 nftDrop = explain(red, "outside");
            assertEquals("firewall", nftDrop.broken());
            assertEquals("inet othertool", nftDrop.last().table());
            assertEquals("forward", nftDrop.last().chain());
            assertEquals("ip daddr " + Topo.OUTSIDE_IP + " drop", nftDrop.last().rule());
            sandbox.run("nft", "delete", "table", "inet", "othertool");
            sandbox.run("iptables", "-I", "FORWARD", "-d", Topo.OUTSIDE_IP, "-j", "DROP");
            Path0 iptDrop = explain(red, "outside");
            sandbox.run("iptables", "-D", "FORWARD", "-d", Topo.OUTSIDE_IP, "-j", "DROP");
            assertEquals("firewall", iptDrop.broken());
            assertEquals("ip filter", iptDrop.last().table());
            assertEquals("FORWARD", iptDrop.last().chain());
            assertTrue(iptDrop.last().rule().contains("ip daddr " + Topo.OUTSIDE_IP) && iptDrop.last().rule().endsWith("drop"), iptDrop.last().toString());
            assertTrue(explain(red, "outside").ok(), "works again once the drop is gone");

            // isolated networks: Patchbay's own isolation rule drops red -> blue
            Path0 isolated = explain(red, blue);
            assertEquals("firewall", isolated.broken());
            assertTrue(isolated.step("host route").detail().contains("10.72.0.0/24 dev pbex1"), isolated.step("host route").toString());
            assertEquals(backend.equals("nftables") ? "inet patchbay" : "ip filter", isolated.last().table(), isolated.last().toString());
            assertTrue(isolated.last().chain().contains(backend.equals("nftables") ? "isolation" : "PATCHBAY-ISOLATION"), isolated.last().toString());
            assertTrue(isolated.last().rule().contains("pbex1"), "the rule names the other network's bridge: " + isolated.last());

            // a published port whose container is gone: the DNAT sends to an address nobody holds
            Path0 published = explain("outside", red, "8091/tcp");
            assertTrue(published.ok(), published.hops().toString());
            assertEquals("8091/tcp -> 10.71.0.2:80, container \"" + red + "\" on network \"ex\"", published.step("published").detail());
            sandbox.run("ip", "netns", "del", red);
            for (String to : List.of(red, Topo.HOST_UPLINK_IP)) {
                Path0 gone = explain("outside", to, "8091/tcp");
                assertEquals("namespace", gone.broken(), gone.hops().toString());
                assertEquals("ok", gone.step("dnat").status());
                assertTrue(gone.last().detail().contains("is gone") && gone.last().detail().contains("10.71.0.2"), gone.last().toString());
            }
            assertFalse(sandbox.run("nft", "list", "tables").contains("patchbay-explain"), "the trace's table is gone");
        } finally {
            Sandbox.exec("nft", "delete", "table", "inet", "othertool");
            Sandbox.exec("iptables", "-D", "FORWARD", "-d", Topo.OUTSIDE_IP, "-j", "DROP");
            cli.run("detach", "ex", "--netns", red);
            cli.run("detach", "ex2", "--netns", blue);
            cli.run("network", "rm", "ex", "--force");
            cli.run("network", "rm", "ex2", "--force");
            cli.run("gc");
            Sandbox.exec("ip", "route", "del", "default");
            Sandbox.exec("ip", "link", "del", "up0");
        }
    }
}
