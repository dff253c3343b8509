package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.patchbay.launcher.LbProbes.*;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.launcher.LbProbes.Lb;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The load balancer of seed 004 §5 with real traffic, the real bin/patchbay in a throwaway host namespace, on each firewall
 * backend: a service over three backends (small python servers answering their names in throwaway namespaces) takes 300
 * connections 100/100/100 round-robin, from a container of the network, from the host namespace and from a backend
 * reaching its own service; random spreads 900 within ±20% each (300 would leave it to chance about one run in twenty);
 * removing the backends down to none makes a connection refused within a second; {@code service rm} leaves no rule. A
 * backend's bridge port whose hairpin someone turned off degrades the network's health, naming it, and {@code gc} puts it
 * back (the backend then reaches its own service again). A port one address publishes (a VIP, a host address) is that
 * address's, whatever publishes the same port on every address.
 */
@NetnsTest
class LoadBalancerIT {
    /** The daemon of the nftables tests: its health checks and its upkeep read its own state folder ({@code cli()}). */
    @RegisterExtension
    static final DaemonCli NFT = new DaemonCli(Map.of("PATCHBAY_FW", "nftables"));

    @RegisterExtension
    static final DaemonCli IPT = new DaemonCli(Map.of("PATCHBAY_FW", "iptables"));

    @Test
    void nftables(Sandbox sandbox) throws Exception {
        balance(sandbox, NFT.fresh(), "nftables", 10);
    }

    @Test
    void iptables(Sandbox sandbox) throws Exception {
        balance(sandbox, IPT.fresh(), "iptables", 11);
    }

    /**
     * Through the daemon, --health tcp: a backend whose server stops gets no new connection once its checks fail twice, and
     * gets them again once it answers twice; the service with every backend down refuses at once. The events stream says so.
     */
    @Test
    void aBackendThatStopsAnsweringIsTakenOutAndComesBack(Sandbox sandbox) throws Exception {
        Cli pb = NFT.cli();
        Lb lb = Lb.create(sandbox, pb, "--subnet", "10.198.13.0/24", "--ipv6", "fd00:198:13::/64");
        String host = lb.host();
        String client = lb.client();
        List<String> names = lb.names();
        List<Process> servers = lb.servers();
        Process events = null;
        try {
            lb.backends(sandbox, pb, 80, "b1", "b2");
            java.nio.file.Path seenFile = java.nio.file.Files.createTempFile("pb-events", ".jsonl");
            java.nio.file.Path errFile = java.nio.file.Files.createTempFile("pb-events", ".err");
            ProcessBuilder eb = new ProcessBuilder(Cli.DIST.resolve("bin/patchbay").toString(), "-n", host, "-o", "json", "events",
                    "--filter", "service").redirectOutput(seenFile.toFile()).redirectError(errFile.toFile());
            eb.environment().put("PATCHBAY_STATE_DIR", pb.stateDir().toString());
            eb.environment().put("PATCHBAY_RUN_DIR", pb.runDir().toString());
            events = eb.start();
            assertTrue(until(60, () -> read(errFile).contains("listening")), "events subscribed: " + read(errFile));
            JsonObject svc = json(pb.run("-n", host, "-o", "json", "service", "create", "api", "--network", "lb", "--port", "80/tcp",
                    "--health", "tcp", "--backend", names.get(0), "--backend", names.get(1)).ok());
            String vip = svc.get("vip").getAsString();
            String vip6 = svc.get("vip6").getAsString();
            assertEquals(Map.of(names.get(0), 5, names.get(1), 5), connect(sandbox, client, vip, 10));

            stop(servers.remove(0));
            assertTrue(until(20, () -> down(pb, host).equals(List.of(names.get(0)))), "taken out after failing its checks");
            assertEquals(Map.of(names.get(1), 20), connect(sandbox, client, vip, 20), "no new connection to the stopped one");
            stop(servers.remove(0));
            assertTrue(until(20, () -> down(pb, host).size() == 2), "both down");
            JsonObject refused = once(sandbox, client, vip, 80);
            assertEquals("{\"FAIL ConnectionRefusedError\":1}", refused.get("counts").toString(), "every backend down: refused");

            servers.add(serve(names.get(0), 80));
            assertTrue(until(20, () -> down(pb, host).equals(List.of(names.get(1)))), "back once it answers again");
            assertEquals(Map.of(names.get(0), 10), connect(sandbox, client, vip, 10));
            assertEquals(Map.of(names.get(0), 4), connect(sandbox, client, vip6, 80, 4), "the IPv6 VIP follows the checks");
            // a backend that answers on IPv4 only is down: the IPv6 VIP would send it connections it refuses
            stop(servers.remove(0));
            servers.add(serve(names.get(0), 80, true));
            assertTrue(until(20, () -> down(pb, host).size() == 2), "an IPv4-only backend of a dual-stack service is down");
            assertTrue(until(10, () -> read(seenFile).contains("service-backend-up")), read(seenFile));
            String seen = read(seenFile);
            assertTrue(seen.contains("\"type\":\"service-backend-down\"") && seen.contains("\"type\":\"service-backend-up\"")
                    && seen.contains("service api backend " + names.get(0)), seen);
        } finally {
            if (events != null) {
                events.destroy();
            }
            lb.close(pb, "api");
        }
    }

    /** Through the daemon: a backend whose container is detached leaves the service, and the others take every connection. */
    @Test
    void aDetachedBackendLeavesTheService(Sandbox sandbox) throws Exception {
        Cli pb = NFT.cli();
        Lb lb = Lb.create(sandbox, pb, "--subnet", "10.198.12.0/24");
        String host = lb.host();
        String client = lb.client();
        List<String> names = lb.names();
        List<Process> servers = lb.servers();
        try {
            lb.backends(sandbox, pb, 80, "b1", "b2");
            String vip = json(pb.run("-n", host, "-o", "json", "service", "create", "api", "--network", "lb", "--port", "80/tcp",
                    "--backend", names.get(0), "--backend", names.get(1)).ok()).get("vip").getAsString();
            assertEquals(Map.of(names.get(0), 5, names.get(1), 5), connect(sandbox, client, vip, 10));
            pb.run("-n", host, "detach", "lb", "--netns", names.get(0)).ok();
            assertTrue(until(20, () -> json(pb.run("-n", host, "-o", "json", "service", "inspect", "api").ok()).getAsJsonArray("backends")
                    .size() == 1), "the detached backend left the service");
            assertEquals(Map.of(names.get(1), 30), connect(sandbox, client, vip, 30));

            // a live swap of the firewall backend takes the service along, and leaves nothing of it behind
            pb.run("-n", host, "service", "backend", "add", "api", client + ":80").ok();
            servers.add(serve(client, 80));
            // ... while a client connects to the VIP again and again: none of its connections is lost
            java.nio.file.Path stop = java.nio.file.Files.createTempFile("pb-stream", ".stop");
            java.nio.file.Files.delete(stop);
            Process stream = new ProcessBuilder("ip", "netns", "exec", client, "python3", "-c", STREAM, vip, "80", stop.toString())
                    .redirectErrorStream(true).start();
            servers.add(stream);
            assertEquals("first\n", new String(stream.getInputStream().readNBytes(6), StandardCharsets.UTF_8), "the stream connects");
            pb.run("-n", host, "firewall", "backend", "iptables").ok();
            java.nio.file.Files.createFile(stop);
            JsonObject streamed = JsonParser.parseString(new String(stream.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
            System.out.println("connections during the swap nftables -> iptables: " + streamed);
            assertEquals("{}", streamed.get("fails").toString(), "no connection lost during the swap: " + streamed);
            assertTrue(streamed.get("ok").getAsInt() > 1, streamed.toString());
            assertFalse(sandbox.execIn(host, "nft", "list", "table", "inet", "patchbay").output().contains("svc:"), "nothing left in nftables");
            assertTrue(sandbox.execIn(host, "iptables-save").output().contains("pb:svc:api"));
            assertEquals(Map.of(names.get(1), 15, client, 15), connect(sandbox, client, vip, 30), "on iptables, in turn");

            // a removed network takes its services along
            pb.run("-n", host, "network", "rm", "lb", "--force").ok();
            assertTrue(until(20, () -> pb.run("-n", host, "-o", "json", "service", "ls").ok().out().strip().equals("[]")),
                    "the network's services went with it");
            assertFalse(sandbox.execIn(host, "iptables-save").output().contains("svc:"), "and their rules");
        } finally {
            lb.close(pb, "api");
        }
    }

    private void balance(Sandbox sandbox, Cli pb, String backend, int net) throws Exception {
        Lb lb = Lb.create(sandbox, pb, "--subnet", "10.198." + net + ".0/24", "--ipv6", "fd00:198:" + net + "::/64");
        String host = lb.host();
        String client = lb.client();
        List<String> names = lb.names();
        try {
            lb.backends(sandbox, pb, 8080, "b1", "b2", "b3");
            // "outside": a namespace routed to the host's uplink, where the service is published
            String outside = sandbox.netns("out");
            sandbox.run("ip", "-n", host, "link", "add", "up0", "type", "veth", "peer", "name", "eth0", "netns", outside);
            sandbox.run("ip", "-n", host, "addr", "add", Topo.HOST_UPLINK_IP + "/24", "dev", "up0");
            sandbox.run("ip", "-n", host, "link", "set", "up0", "up");
            sandbox.run("ip", "-n", outside, "addr", "add", Topo.OUTSIDE_IP + "/24", "dev", "eth0");
            sandbox.run("ip", "-n", outside, "link", "set", "eth0", "up");
            JsonObject svc = json(pb.run("-n", host, "-o", "json", "service", "create", "api", "--network", "lb", "--port", "80/tcp",
                    "--publish", "8000",
                    "--backend", names.get(0) + ":8080", "--backend", names.get(1) + ":8080", "--backend", names.get(2) + ":8080").ok());
            String vip = svc.get("vip").getAsString();
            assertTrue(vip.startsWith("10.198." + net + "."), vip);
            String ours = backend.equals("nftables") ? sandbox.execIn(host, "nft", "list", "table", "inet", "patchbay").output()
                    : sandbox.execIn(host, "iptables-save").output();
            assertTrue(ours.contains("svc:"), "in the daemon's backend (its PATCHBAY_FW), " + backend + ": " + ours);
            // shown where operators look: network inspect and topology list the network's service (its bundle's feature)
            JsonObject shown = json(pb.run("-n", host, "-o", "json", "network", "inspect", "lb").ok()).getAsJsonArray("features").asList()
                    .stream().map(e -> e.getAsJsonObject()).filter(e -> e.get("kind").getAsString().equals("service")).findFirst().orElseThrow();
            assertEquals(vip, shown.getAsJsonObject("data").get("vip").getAsString());
            assertEquals(3, shown.getAsJsonObject("data").getAsJsonArray("backends").size());
            assertTrue(pb.run("-n", host, "topology").ok().out().contains("service api " + vip + ":80/tcp round-robin over 3 backends"));
            if (backend.equals("nftables")) { // repaired like everything else (whatever the firewall): a backend's hairpin turned off
                int peer = JsonParser.parseString(sandbox.execIn(names.get(1), "ip", "-j", "link", "show", "eth0").output()).getAsJsonArray()
                        .get(0).getAsJsonObject().get("link_index").getAsInt();
                String port = JsonParser.parseString(sandbox.execIn(host, "ip", "-j", "link").output()).getAsJsonArray().asList().stream()
                        .map(e -> e.getAsJsonObject()).filter(e -> e.get("ifindex").getAsInt() == peer).findFirst().orElseThrow()
                        .get("ifname").getAsString(); // b2's end on the bridge
                sandbox.run("ip", "-n", host, "link", "set", port, "type", "bridge_slave", "hairpin", "off");
                JsonObject[] hurt = new JsonObject[1];
                boolean seen = until(10, () -> {
                    hurt[0] = json(pb.run("-n", host, "-o", "json", "network", "inspect", "lb").ok());
                    return hurt[0].get("health").getAsString().equals("degraded");
                });
                assertTrue(seen, "hairpin off on " + port + ", yet " + hurt[0].get("health") + "; the kernel's ports: "
                        + sandbox.execIn(host, "bridge", "-d", "-j", "link", "show").output() + "; the daemon's log: " + NFT.log());
                assertEquals("[\"hairpin on \\\"" + port + "\\\" (backend " + names.get(1) + " of service api)\"]", hurt[0].get("missing").toString());
                String gc = pb.run("-n", host, "gc").ok().out();
                assertTrue(gc.contains("hairpin on \"" + port + "\""), "gc puts it back (the backend reaches its VIP below): " + gc);
            }
            Map<String, Integer> even = new TreeMap<>();
            names.forEach(n -> even.put(n, 100));
            for (String from : List.of(client, host, names.get(1))) {
                Map<String, Integer> seen = connect(sandbox, from, vip, 300);
                System.out.printf("%s round-robin, 300 from %s: %s%n", backend, from.equals(host) ? "the host" : from, seen);
                assertEquals(even, seen, "round-robin from " + from);
            }
            // dual-stack: the IPv6 VIP of the same service, over the backends' IPv6 addresses
            String vip6 = svc.get("vip6").getAsString();
            assertTrue(vip6.startsWith("fd00:198:" + net + "::"), vip6);
            Map<String, Integer> thirty = new TreeMap<>();
            names.forEach(n -> thirty.put(n, 10));
            for (String from : List.of(client, host)) {
                assertEquals(thirty, connect(sandbox, from, vip6, 80, 30), backend + " round-robin over IPv6 from " + from);
            }
            // published: reached from outside, and from the host, at the uplink's address
            for (String from : List.of(outside, host)) {
                assertEquals(thirty, connect(sandbox, from, Topo.HOST_UPLINK_IP, 8000, 30), backend + " published, reached from " + from);
            }
            // one address wins over every address at one port, whichever came first: b1 published on *:8080, then service
            // web at VIP:8080 published on the uplink's address:8080 over b2 and b3; each reaches its own
            String gateway = "10.198." + net + ".1";
            pb.run("-n", host, "publish", "lb", "--netns", names.get(0), "8080:8080/tcp").ok();
            String webVip = json(pb.run("-n", host, "-o", "json", "service", "create", "web", "--network", "lb", "--port", "8080/tcp",
                    "--publish", Topo.HOST_UPLINK_IP + ":8080", "--backend", names.get(1), "--backend", names.get(2)).ok()).get("vip").getAsString();
            Map<String, Integer> two = new TreeMap<>(Map.of(names.get(1), 2, names.get(2), 2));
            assertEquals(two, connect(sandbox, client, webVip, 8080, 4), backend + ": the VIP at 8080 is the service's");
            assertEquals(two, connect(sandbox, outside, Topo.HOST_UPLINK_IP, 8080, 4), backend + ": the uplink's address at 8080 is the service's");
            assertEquals(Map.of(names.get(0), 2), connect(sandbox, host, gateway, 8080, 2), backend + ": any other address at 8080 is b1's");
            pb.run("-n", host, "service", "rm", "web").ok(); // b1's port stays: it is in no one's way

            pb.run("-n", host, "service", "rm", "api").ok();
            svc = json(pb.run("-n", host, "-o", "json", "service", "create", "api", "--network", "lb", "--port", "80/tcp", "--vip", vip,
                    "--balance", "random", "--backend", names.get(0) + ":8080", "--backend", names.get(1) + ":8080",
                    "--backend", names.get(2) + ":8080").ok());
            assertEquals("random", svc.get("balance").getAsString());
            Map<String, Integer> random = connect(sandbox, client, vip, 900);
            System.out.printf("%s random, 900 from a container: %s%n", backend, random);
            assertEquals(names, new ArrayList<>(random.keySet()), "every connection answered by a backend");
            random.values().forEach(n -> assertTrue(n >= 240 && n <= 360, backend + " random within ±20%: " + random));

            // client-IP affinity: from one client, every connection reaches one backend (the VIP and the published port alike)
            pb.run("-n", host, "service", "rm", "api").ok();
            List<String> create = new ArrayList<>(List.of("-n", host, "-o", "json", "service", "create", "api", "--network", "lb", "--port",
                    "80/tcp", "--vip", vip, "--vip", vip6, "--publish", "8000", "--affinity", "60"));
            names.forEach(n -> create.addAll(List.of("--backend", n + ":8080")));
            JsonObject sticky = json(pb.run(create.toArray(String[]::new)).ok());
            assertEquals(60, sticky.get("affinity").getAsInt());
            String vip6now = sticky.get("vip6").getAsString();
            assertEquals(vip6, vip6now, "--vip takes an IPv6 address too");
            for (String from : List.of(client, host, outside, "v6")) {
                Map<String, Integer> seen = from.equals("v6") ? connect(sandbox, client, vip6now, 80, 30)
                        : connect(sandbox, from, from.equals(outside) ? Topo.HOST_UPLINK_IP : vip, from.equals(outside) ? 8000 : 80, 30);
                System.out.printf("%s affinity, 30 from %s: %s%n", backend, from, seen);
                assertEquals(List.of(30), new ArrayList<>(seen.values()), backend + " affinity from " + from + ": " + seen);
                assertTrue(names.containsAll(seen.keySet()), seen.toString());
            }

            if (backend.equals("nftables")) { // checked before any change, whatever the backend: once
                Cli.Run taken = pb.run("-n", host, "service", "create", "web", "--network", "lb", "--port", "80/tcp", "--publish", "8000");
                assertTrue(taken.code() != 0 && taken.err().contains("8000") && taken.err().contains("svc:api"), "a published port is refused: " + taken.err());
                Cli.Run outside6 = pb.run("-n", host, "service", "create", "web", "--network", "lb", "--port", "81/tcp", "--vip", "2001:db8::1");
                assertTrue(outside6.code() != 0 && outside6.err().contains("--vip") && outside6.err().contains("2001:db8::1"), outside6.err());
            }
            for (String n : names) {
                pb.run("-n", host, "service", "backend", "rm", "api", n + ":8080").ok();
            }
            JsonObject refused = once(sandbox, client, vip, 80);
            System.out.printf("%s no backend: %s%n", backend, refused);
            assertEquals("{\"FAIL ConnectionRefusedError\":1}", refused.get("counts").toString());
            assertTrue(refused.get("failTook").getAsDouble() < 1.0, "refused within a second: " + refused);

            pb.run("-n", host, "service", "rm", "api").ok();
            assertEquals("[]", jsonArray(pb.run("-n", host, "-o", "json", "service", "ls").ok()));
            String rules = rules(sandbox, host, backend);
            assertFalse(rules.contains("svc:") || rules.contains("aff0-") || rules.contains("recent"), rules);
            assertEquals("", sandbox.execIn(host, "sh", "-c", "ls /proc/net/xt_recent 2>/dev/null").output().strip(), "no recent list left");
            assertEquals("{\"FAIL ConnectionRefusedError\":1}", once(sandbox, outside,
                    Topo.HOST_UPLINK_IP, 8000).get("counts").toString(), "the published port went with it");
            assertFalse(sandbox.execIn(host, "ip", "-o", "addr", "show").output().contains(vip + "/32"), "the VIP left the bridge");
            assertFalse(sandbox.execIn(host, "ip", "-o", "addr", "show").output().contains(vip6now + "/128"), "the IPv6 VIP too");
        } finally {
            lb.close(pb, "api", "web");
        }
    }

    private static String rules(Sandbox sandbox, String host, String backend) {
        return backend.equals("nftables") ? sandbox.execIn(host, "nft", "list", "ruleset").output() : sandbox.execIn(host, "iptables-save").output();
    }
}
