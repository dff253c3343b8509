package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The habits Docker users bring (issue 23), on the real kernel with traffic between throwaway namespaces, a throwaway
 * namespace playing the host: networks without {@code --subnet} from the default address pools. The settings a test
 * gives (address pools, the firewall backend) are its daemon's, as an operator's configuration is.
 */
@NetnsTest
class DockerHabitsIT {

    private static Cli cli(String... env) {
        Cli fresh = Cli.fresh();
        Map<String, String> e = new java.util.HashMap<>();
        for (int i = 0; i < env.length; i += 2) {
            e.put(env[i], env[i + 1]);
        }
        return new Cli(fresh.stateDir(), fresh.runDir(), e);
    }

    static JsonObject json(Cli.Run r) {
        return JsonParser.parseString(r.ok().out()).getAsJsonObject();
    }

    /** The container's first address without its length, from {@code attach -o json}. */
    static String address(Cli.Run attach) {
        String a = json(attach).getAsJsonArray("addresses").get(0).getAsString();
        return a.substring(0, a.indexOf('/'));
    }

    @Test
    void withoutSubnetTwoCreatesAtOnceTakeTwoFreeSubnetsOfThePoolsNeverWhatTheHostUses(Sandbox sandbox) throws Exception {
        String host = sandbox.netns("host");
        String c1 = sandbox.netns("c1");
        String c2 = sandbox.netns("c2");
        sandbox.run("ip", "-n", host, "link", "add", "uplink", "type", "veth", "peer", "name", "uplinkp");
        sandbox.run("ip", "-n", host, "addr", "add", "10.199.0.7/24", "dev", "uplink");
        sandbox.run("ip", "-n", host, "link", "set", "uplink", "up");
        Cli pb = cli("PATCHBAY_DEFAULT_ADDRESS_POOLS", "base=10.199.0.0/22,size=24");
        try {
            CompletableFuture<Cli.Run> a = CompletableFuture.supplyAsync(() -> pb.run("-n", host, "-o", "json", "network", "create", "pa"));
            CompletableFuture<Cli.Run> b = CompletableFuture.supplyAsync(() -> pb.run("-n", host, "-o", "json", "network", "create", "pb"));
            String sa = json(a.get()).get("subnet").getAsString();
            String sb = json(b.get()).get("subnet").getAsString();
            assertNotEquals(sa, sb, "never the same subnet twice");
            assertEquals(java.util.Set.of("10.199.1.0/24", "10.199.2.0/24"), java.util.Set.of(sa, sb), "10.199.0.0/24 is the host's");
            JsonObject pa = json(pb.run("-n", host, "-o", "json", "network", "inspect", "pa")).getAsJsonObject("config");
            assertEquals(sa, pa.get("subnet").getAsString(), "recorded");
            assertEquals(sa.replace("0/24", "1"), pa.get("gateway").getAsString(), "its first host the gateway");
            assertTrue(Kernel.addresses(host, "pb-pa").contains(sa.replace("0/24", "1/24")), "the bridge holds it");

            String ip1 = address(pb.run("-n", host, "-o", "json", "attach", "pa", "--netns", c1));
            pb.run("-n", host, "attach", "pa", "--netns", c2).ok();
            assertTrue(sandbox.ping(c2, ip1), "containers of a pooled network reach each other");

            assertEquals("10.199.3.0/24", json(pb.run("-n", host, "-o", "json", "network", "create", "pc")).get("subnet").getAsString());
            Cli.Run full = pb.run("-n", host, "network", "create", "pd");
            assertEquals(2, full.code(), full.err() + full.out());
            assertTrue(full.err().contains("subnet") && full.err().contains("base=10.199.0.0/22,size=24"), full.err());
            assertTrue(!Kernel.links(host).contains("pb-pd"), "nothing made");

            Cli.Run bad = cli("PATCHBAY_DEFAULT_ADDRESS_POOLS", "base=10.199.0.0/22,size=8").run("-n", host, "network", "create", "pe");
            assertNotEquals(0, bad.code());
            assertTrue(bad.err().contains("default-address-pools") && bad.err().contains("size=8"), bad.err());
        } finally {
            pb.run("-n", host, "detach", "pa", "--netns", c1);
            pb.run("-n", host, "detach", "pa", "--netns", c2);
            for (String n : List.of("pa", "pb", "pc")) {
                pb.run("-n", host, "network", "rm", n);
            }
        }
        pb.assertNoRecords();
    }

    @Test
    void labelsFilterConnectDisconnectAndPrune(Sandbox sandbox) throws Exception {
        String host = sandbox.netns("host");
        String c1 = sandbox.netns("c1");
        Cli pb = cli();
        Process daemon = pb.startDaemon();
        try {
            pb.run("-n", host, "network", "create", "la", "--subnet", "10.198.1.0/24", "--label", "team=web", "--label", "tier=front").ok();
            pb.run("-n", host, "network", "create", "lb", "--subnet", "10.198.2.0/24").ok();
            List<JsonElement> web = array(pb.run("-n", host, "-o", "json", "network", "ls", "--filter", "label=team=web"));
            assertEquals(1, web.size());
            assertEquals("la", web.get(0).getAsJsonObject().get("name").getAsString());
            assertEquals("{\"team\":\"web\",\"tier\":\"front\"}", web.get(0).getAsJsonObject().get("labels").toString());
            assertEquals(2, array(pb.run("-n", host, "-o", "json", "network", "ls")).size());
            assertEquals(0, array(pb.run("-n", host, "-o", "json", "network", "ls", "--filter", "label=team=db")).size());
            assertEquals("{\"team\":\"web\",\"tier\":\"front\"}",
                    json(pb.run("-n", host, "-o", "json", "network", "inspect", "la")).get("labels").toString());

            // connect: attach's JSON; the container has the address and reaches its gateway
            JsonObject a = json(pb.run("-n", host, "-o", "json", "network", "connect", "la", c1));
            assertEquals(c1, a.get("containerId").getAsString());
            String ip = a.getAsJsonArray("addresses").get(0).getAsString();
            assertTrue(Kernel.addresses(c1, "eth0").contains(ip), Kernel.addresses(c1, "eth0").toString());
            assertTrue(sandbox.ping(c1, "10.198.1.1"));

            // prune: without --force it removes nothing and says what it would; with it, only lb (la has a container)
            Cli.Run asked = pb.run("-n", host, "-o", "json", "network", "prune");
            assertEquals(1, asked.code(), asked.err());
            assertEquals("[\"lb\"]", JsonParser.parseString(asked.out()).getAsJsonObject().get("wouldRemove").toString());
            assertTrue(Kernel.links(host).contains("pb-lb"));
            String script = json(pb.run("-n", host, "-o", "json", "network", "prune", "--dry-run")).getAsJsonArray("commands").toString();
            assertTrue(script.contains("link del dev pb-lb") && !script.contains("pb-la"), script);
            assertTrue(Kernel.links(host).contains("pb-lb"), "the dry run removed nothing");
            assertEquals("[\"lb\"]", json(pb.run("-n", host, "-o", "json", "network", "prune", "-f")).get("removed").toString());
            assertTrue(!Kernel.links(host).contains("pb-lb") && Kernel.links(host).contains("pb-la"), Kernel.links(host).toString());

            // disconnect: detach's JSON; the container's interface is gone
            assertEquals(JsonParser.parseString("{\"network\":\"la\",\"detached\":\"" + c1 + "\"}"), // members in any order
                    json(pb.run("-n", host, "-o", "json", "network", "disconnect", "la", c1)));
            assertTrue(!Kernel.links(c1).contains("eth0"), Kernel.links(c1).toString());
            assertEquals("[\"la\"]", json(pb.run("-n", host, "-o", "json", "network", "prune", "--force")).get("removed").toString());
        } finally {
            pb.run("-n", host, "detach", "la", "--netns", c1);
            pb.run("-n", host, "network", "rm", "la");
            pb.run("-n", host, "network", "rm", "lb");
            daemon.destroy();
            daemon.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        pb.assertNoRecords();
    }

    @Test
    void isolationAndInternalOverNftables(Sandbox sandbox) throws Exception {
        isolationAndInternal(sandbox, "nftables");
    }

    @Test
    void isolationAndInternalOverIptables(Sandbox sandbox) throws Exception {
        isolationAndInternal(sandbox, "iptables");
    }

    /**
     * A host with an uplink to an "outside" namespace that routes the networks' prefixes back to it (no masquerade
     * needed); networks created without --isolate are isolated from each other over IPv4 and IPv6, reach the outside;
     * an --internal network's containers reach each other and the host only; a network created with isolate=false
     * reaches the isolated ones on purpose; one created with --peers pb-web, isolated, exchanges traffic with web alone.
     */
    private static void isolationAndInternal(Sandbox sandbox, String backend) throws Exception {
        String host = sandbox.netns("host");
        String out = sandbox.netns("out");
        sandbox.run("ip", "-n", host, "link", "add", "uplink", "type", "veth", "peer", "name", "wan", "netns", out);
        sandbox.run("ip", "-n", host, "addr", "add", "198.51.100.1/24", "dev", "uplink");
        sandbox.run("ip", "-n", host, "addr", "add", "fd00:5::1/64", "dev", "uplink", "nodad");
        sandbox.run("ip", "-n", host, "link", "set", "uplink", "up");
        sandbox.run("ip", "-n", out, "addr", "add", "198.51.100.2/24", "dev", "wan");
        sandbox.run("ip", "-n", out, "addr", "add", "fd00:5::2/64", "dev", "wan", "nodad");
        sandbox.run("ip", "-n", out, "link", "set", "wan", "up");
        sandbox.run("ip", "-n", out, "route", "add", "10.197.0.0/16", "via", "198.51.100.1");
        sandbox.run("ip", "-n", out, "-6", "route", "add", "fd00:197::/32", "via", "fd00:5::1");
        Cli pb = cli(); // its commands go to a daemon of the backend's: one process, not one a command
        Process daemon = pb.startDaemon(Map.of("PATCHBAY_FW", backend));
        try {
            pb.run("-n", host, "network", "create", "web", "--subnet", "10.197.1.0/24", "--ipv6", "fd00:197:1::/64").ok();
            pb.run("-n", host, "network", "create", "db", "--subnet", "10.197.2.0/24", "--ipv6", "fd00:197:2::/64").ok();
            pb.run("-n", host, "network", "create", "in", "--subnet", "10.197.3.0/24", "--ipv6", "fd00:197:3::/64", "--internal").ok();
            pb.run("-n", host, "network", "create", "op", "--subnet", "10.197.4.0/24", "--ipv6", "fd00:197:4::/64", "--opt", "isolate=false").ok();
            pb.run("-n", host, "network", "create", "ap", "--subnet", "10.197.5.0/24", "--ipv6", "fd00:197:5::/64", "--peers", "pb-web").ok();
            assertEquals("true", json(pb.run("-n", host, "-o", "json", "network", "inspect", "web")).getAsJsonObject("config")
                    .getAsJsonObject("options").get("isolate").getAsString(), "isolated by default, and recorded so");
            Map<String, String[]> ips = new java.util.HashMap<>();
            for (String[] c : new String[][] {{"w1", "web"}, {"d1", "db"}, {"i1", "in"}, {"i2", "in"}, {"o1", "op"}, {"a1", "ap"}}) {
                String ns = sandbox.netns(c[0]);
                com.google.gson.JsonArray as = json(pb.run("-n", host, "-o", "json", "attach", c[1], "--netns", ns)).getAsJsonArray("addresses");
                ips.put(c[0], new String[] {ns, strip(as.get(0).getAsString()), strip(as.get(1).getAsString())});
            }
            List<Reach> reaches = new java.util.ArrayList<>();
            for (int v = 1; v <= 2; v++) {
                String outside = v == 1 ? "198.51.100.2" : "fd00:5::2";
                String family = v == 1 ? "IPv4" : "IPv6";
                reaches.add(new Reach(ns(ips, "w1"), outside, true, family + ": web reaches the outside"));
                reaches.add(new Reach(ns(ips, "w1"), ips.get("d1")[v], false, family + ": web does not reach db"));
                reaches.add(new Reach(ns(ips, "d1"), ips.get("w1")[v], false, family + ": db does not reach web"));
                reaches.add(new Reach(ns(ips, "i1"), ips.get("i2")[v], true, family + ": an internal network's containers reach each other"));
                reaches.add(new Reach(ns(ips, "i1"), v == 1 ? "10.197.3.1" : "fd00:197:3::1", true, family + ": and the host"));
                reaches.add(new Reach(ns(ips, "i1"), outside, false, family + ": but not the outside"));
                reaches.add(new Reach(out, ips.get("i1")[v], false, family + ": nor the outside them"));
                reaches.add(new Reach(ns(ips, "w1"), ips.get("i1")[v], false, family + ": nor another network"));
                reaches.add(new Reach(ns(ips, "o1"), ips.get("w1")[v], true, family + ": isolate=false reaches web on purpose"));
                reaches.add(new Reach(ns(ips, "a1"), ips.get("w1")[v], true, family + ": ap, isolated, is connected to web on purpose"));
                reaches.add(new Reach(ns(ips, "w1"), ips.get("a1")[v], true, family + ": both ways"));
                reaches.add(new Reach(ns(ips, "a1"), ips.get("d1")[v], false, family + ": and isolated from db"));
            }
            Reach.check(sandbox, reaches);
            // the isolation rules, as the backend holds them: web, db and in have theirs (in drops both ways), op none
            List<String> isolation = new java.util.ArrayList<>();
            if (backend.equals("nftables")) {
                Kernel.ruleset(host).of("rule").stream().filter(r -> r.get("chain").getAsString().startsWith("isolation"))
                        .forEach(r -> isolation.add(r.getAsJsonArray("expr").toString()));
            } else {
                for (String tool : List.of("iptables-save", "ip6tables-save")) {
                    sandbox.run("ip", "netns", "exec", host, tool, "-t", "filter").lines().filter(l -> l.startsWith("-A PATCHBAY-ISOLATION"))
                            .forEach(isolation::add);
                }
            }
            int perFamily = backend.equals("nftables") ? 1 : 2; // inet: one table for both families
            assertEquals(4 * perFamily, isolation.stream().filter(r -> r.contains("pb-in")).count(), "in: isolated and internal: " + isolation);
            assertEquals(4 * perFamily, isolation.stream().filter(r -> r.contains("pb-web")).count(), "web's own, ap's returns: " + isolation);
            assertEquals(0, isolation.stream().filter(r -> r.contains("pb-op")).count(), "op: none: " + isolation);
        } finally {
            for (String n : List.of("web", "db", "in", "op", "ap")) { // with their containers
                pb.run("-n", host, "network", "rm", "--force", n);
            }
            daemon.destroy();
            daemon.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        pb.assertNoRecords();
    }

    /**
     * One ping from {@code from} to {@code to}, and whether it must get an answer. {@link #check} sends them all at once: a
     * dropped one waits its 2 s, and twelve such, one after the other, were a third of a backend's test.
     */
    record Reach(String from, String to, boolean reaches, String what) {
        static void check(Sandbox sandbox, List<Reach> all) throws Exception {
            List<CompletableFuture<Boolean>> pings = new java.util.ArrayList<>();
            for (Reach r : all) {
                pings.add(Within.async(() -> sandbox.ping(r.from(), r.to())));
            }
            List<String> wrong = new java.util.ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                if (pings.get(i).get(60, java.util.concurrent.TimeUnit.SECONDS) != all.get(i).reaches()) {
                    wrong.add(all.get(i).what() + " (" + all.get(i).from() + " -> " + all.get(i).to() + ")");
                }
            }
            assertTrue(wrong.isEmpty(), "not as expected: " + wrong);
        }
    }

    private static String ns(Map<String, String[]> ips, String c) {
        return ips.get(c)[0];
    }

    private static String strip(String prefix) {
        return prefix.substring(0, prefix.indexOf('/'));
    }

    static List<JsonElement> array(Cli.Run r) {
        return JsonParser.parseString(r.ok().out()).getAsJsonArray().asList();
    }
}
