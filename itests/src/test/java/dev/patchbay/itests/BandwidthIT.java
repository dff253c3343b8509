package dev.patchbay.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The CNI type {@code bandwidth} through the distribution's {@code cni/bandwidth}, chained after a veth made by hand (vh0 in
 * the host {@code h}, eth0 in the container {@code c1}), with the {@code bandwidth} capability as containerd sends it (Go's
 * field names): ADD puts a tbf of 1,000,000 bytes a second (8 Mbit/s) on vh0's root and redirects vh0's ingress to an ifb
 * whose root tbf holds 2,000,000 (16 Mbit/s), as {@code tc -j} shows; a timed TCP transfer each way is held to its rate
 * within 20%; CHECK passes, then names the ifb's tbf deleted by hand; a bad value is refused naming its key; DEL removes the
 * ifb and vh0's qdiscs. Then after Patchbay's {@code bridge}, whose attachment records the limits: CHECK, {@code network ls}
 * and {@code gc} see a tbf and an ifb deleted by hand, and gc puts them back; the host veth deleted, the daemon plugs the
 * container in again, shaped as recorded ({@link #checkedAndRepaired}). Last, {@code network create --chain +bandwidth} and
 * {@code attach --opt ingress-rate=... --opt ingress-burst=...}: a rate without its burst is refused naming it; the tbf is made.
 */
@NetnsTest
class BandwidthIT {
    private static final String CAPABILITY = "\"runtimeConfig\":{\"bandwidth\":{\"IngressRate\":8000000,\"IngressBurst\":262144,"
            + "\"EgressRate\":16000000,\"EgressBurst\":262144}}";

    @Test
    void bandwidthShapesBothWaysOfAContainersVeth(Sandbox sandbox) throws Exception {
        String h = sandbox.netns("h");
        String c1 = sandbox.netns("c1");
        sandbox.run("ip", "-n", h, "link", "add", "vh0", "type", "veth", "peer", "name", "eth0", "netns", c1);
        sandbox.run("ip", "-n", h, "addr", "add", "10.137.0.1/24", "dev", "vh0");
        sandbox.run("ip", "-n", c1, "addr", "add", "10.137.0.2/24", "dev", "eth0");
        sandbox.run("ip", "-n", h, "link", "set", "vh0", "up");
        sandbox.run("ip", "-n", c1, "link", "set", "eth0", "up");
        String prev = "\"prevResult\":{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"vh0\"},{\"name\":\"eth0\",\"sandbox\":\"/run/netns/"
                + c1 + "\"}],\"ips\":[{\"address\":\"10.137.0.2/24\",\"interface\":1}]}";
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"bwnet\",\"type\":\"bandwidth\"," + CAPABILITY + "," + prev + "}";
        try (Dist dist = Dist.copy()) {
            dist.startDaemon(h);
            Dist.Run add = dist.cni(h, "bandwidth", call("ADD", "k1", c1), conf);
            assertEquals(0, add.code(), add.all() + dist.daemonLog());
            JsonArray ifaces = JsonParser.parseString(add.out()).getAsJsonObject().getAsJsonArray("interfaces");
            String ifb = ifaces.get(2).getAsJsonObject().get("name").getAsString();
            assertTrue(ifb.matches("bwp[0-9a-f]{12}"), "the ifb joins the result: " + add.out());
            assertTrue(sandbox.run("ip", "-n", h, "-d", "link", "show", ifb).contains("ifb"));
            assertEquals(1_000_000, tbfRate(sandbox, h, "vh0"), "to the container: 8 Mbit/s on vh0");
            assertEquals(2_000_000, tbfRate(sandbox, h, ifb), "from it: 16 Mbit/s on the ifb");
            String filter = sandbox.run("tc", "-n", h, "filter", "show", "dev", "vh0", "parent", "ffff:");
            assertTrue(filter.contains("Redirect to device " + ifb), filter);
            assertEquals(0, dist.cni(h, "bandwidth", call("CHECK", "k1", c1), conf).code());

            double in = measure(sandbox, h, c1, "10.137.0.2", 2_000_000);
            double out = measure(sandbox, c1, h, "10.137.0.1", 4_000_000);
            System.out.printf("bandwidth: to the container %.2f Mbit/s (8 set), from it %.2f Mbit/s (16 set)%n", in, out);
            assertTrue(Math.abs(in - 8) <= 8 * 0.2, "to the container within 20% of 8 Mbit/s: " + in);
            assertTrue(Math.abs(out - 16) <= 16 * 0.2, "from it within 20% of 16 Mbit/s: " + out);

            sandbox.run("tc", "-n", h, "qdisc", "del", "dev", ifb, "root");
            Dist.Run check = dist.cni(h, "bandwidth", call("CHECK", "k1", c1), conf);
            JsonObject error = JsonParser.parseString(check.out()).getAsJsonObject();
            assertEquals(101, error.get("code").getAsInt(), check.all());
            assertTrue(error.get("msg").getAsString().contains(ifb + " has no tbf qdisc"), check.out());

            String bad = conf.replace("\"EgressRate\":16000000", "\"EgressRate\":-5");
            Dist.Run refused = dist.cni(h, "bandwidth", call("ADD", "k2", c1), bad);
            JsonObject e = JsonParser.parseString(refused.out()).getAsJsonObject();
            assertEquals(7, e.get("code").getAsInt(), refused.all());
            assertTrue(e.get("msg").getAsString().startsWith("runtimeConfig.bandwidth.EgressRate: \"-5\""), refused.out());

            assertEquals(0, dist.cni(h, "bandwidth", call("DEL", "k1", c1), conf).code());
            assertFalse(sandbox.execIn(h, "ip", "link", "show", ifb).code() == 0, "DEL removed the ifb");
            String qdiscs = sandbox.run("tc", "-n", h, "qdisc", "show", "dev", "vh0");
            assertFalse(qdiscs.contains("tbf") || qdiscs.contains("ingress"), qdiscs);
            assertEquals(0, dist.cni(h, "bandwidth", call("DEL", "k1", c1), conf).code(), "a second DEL finds nothing and succeeds");
            assertEquals(0, sandbox.run("ip", "-n", h, "-o", "link").lines().filter(l -> l.contains("bwp")).count(), "no ifb left");

            checkedAndRepaired(sandbox, dist, h, sandbox.netns("c2"));

            // the chain's plugin without CNI: a network made with --chain +bandwidth, limits per container with attach --opt
            String c3 = sandbox.netns("c3");
            dist.cli(h, "network", "create", "bwcli", "--subnet", "10.139.0.0/24", "--chain", "+bandwidth").ok();
            Dist.Run refused2 = dist.cli(h, "attach", "bwcli", "--netns", c3, "--opt", "ingress-rate=8000000");
            assertTrue(refused2.code() != 0 && refused2.all().contains("ingress-burst"), refused2.all());
            dist.cli(h, "attach", "bwcli", "--netns", c3, "--opt", "ingress-rate=8000000", "--opt", "ingress-burst=262144").ok();
            String shaped = sandbox.run("tc", "-j", "-raw", "-n", h, "qdisc", "show");
            assertTrue(shaped.contains("\"kind\":\"tbf\"") && shaped.contains("\"rate\":1000000"), "attach --opt shaped c3's veth: " + shaped);
            dist.cli(h, "detach", "bwcli", "--netns", c3).ok();
            dist.cli(h, "network", "rm", "bwcli").ok();
        }
    }

    /**
     * After Patchbay's {@code bridge} (which records the attachment, on a network chaining {@code bandwidth}), the limits are
     * recorded with it: a root tbf deleted from the host veth, then the ifb deleted, CHECK names each; {@code network ls}
     * says degraded; {@code gc} puts both back (the rates in {@code tc -j}, the redirect); DEL removes the ifb.
     */
    private static void checkedAndRepaired(Sandbox sandbox, Dist dist, String h, String c2) {
        String br = "{\"cniVersion\":\"1.0.0\",\"name\":\"bwbr\",\"type\":\"bridge\",\"bridge\":\"bwbr0\",\"isGateway\":true,"
                + "\"ipam\":{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"10.138.0.0/24\"}]]}}";
        Dist.Run added = dist.cni(h, "bridge", call("ADD", "k3", c2), br);
        assertEquals(0, added.code(), added.all());
        String veth = JsonParser.parseString(added.out()).getAsJsonObject().getAsJsonArray("interfaces").get(1).getAsJsonObject().get("name").getAsString();
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"bwbr\",\"type\":\"bandwidth\"," + CAPABILITY + ",\"prevResult\":" + added.out() + "}";
        Dist.Run add = dist.cni(h, "bandwidth", call("ADD", "k3", c2), conf);
        assertEquals(0, add.code(), add.all());
        String ifb = JsonParser.parseString(add.out()).getAsJsonObject().getAsJsonArray("interfaces").get(3).getAsJsonObject().get("name").getAsString();
        assertEquals(0, dist.cni(h, "bandwidth", call("CHECK", "k3", c2), conf).code());
        assertTrue(networkLs(dist, h).contains("\"health\":\"ok\""), networkLs(dist, h));

        sandbox.run("tc", "-n", h, "qdisc", "del", "dev", veth, "root");
        assertEquals(veth + " has no tbf qdisc", checkFails(dist, h, c2, conf));
        sandbox.run("ip", "-n", h, "link", "del", ifb);
        assertEquals(veth + " has no tbf qdisc; the ifb " + ifb + " is missing", checkFails(dist, h, c2, conf));
        Dist.Run checkBridge = dist.cni(h, "bridge", call("CHECK", "k3", c2), br.replace("{\"cniVersion", "{\"prevResult\":" + added.out() + ",\"cniVersion"));
        assertTrue(checkBridge.out().contains(veth + " has no tbf qdisc"), "the network's CHECK sees it too: " + checkBridge.all());
        String ls = networkLs(dist, h);
        assertTrue(ls.contains("degraded") && ls.contains("the ifb " + ifb + " is missing"), ls);

        String gc = dist.cli(h, "gc").ok().out();
        assertTrue(gc.contains("repaired " + veth + " has no tbf qdisc"), gc);
        assertEquals(1_000_000, tbfRate(sandbox, h, veth), "back on " + veth + " after " + gc);
        assertEquals(2_000_000, tbfRate(sandbox, h, ifb), "back on " + ifb);
        assertTrue(sandbox.run("tc", "-n", h, "filter", "show", "dev", veth, "parent", "ffff:").contains("Redirect to device " + ifb));
        assertEquals(0, dist.cni(h, "bandwidth", call("CHECK", "k3", c2), conf).code());
        assertTrue(networkLs(dist, h).contains("\"health\":\"ok\""), networkLs(dist, h));
        System.out.println("bandwidth: CHECK named the missing tbf and ifb; gc: " + gc.strip());
        sandbox.run("ip", "-n", h, "link", "del", veth); // the daemon plugs k3 in again: the chain's set-up shapes it as recorded
        assertTrue(Dist.within(10, () -> dist.cni(h, "bandwidth", call("CHECK", "k3", c2), conf).code() == 0), dist.daemonLog());

        assertEquals(0, dist.cni(h, "bandwidth", call("DEL", "k3", c2), conf).code());
        assertFalse(sandbox.execIn(h, "ip", "link", "show", ifb).code() == 0, "DEL removed the ifb");
        assertEquals(0, dist.cni(h, "bridge", call("DEL", "k3", c2), br).code());
        dist.cli(h, "network", "rm", "bwbr").ok();
    }

    private static String checkFails(Dist dist, String h, String c2, String conf) {
        Dist.Run check = dist.cni(h, "bandwidth", call("CHECK", "k3", c2), conf);
        JsonObject error = JsonParser.parseString(check.out()).getAsJsonObject();
        assertEquals(101, error.get("code").getAsInt(), check.all());
        return error.get("msg").getAsString().replaceFirst("^CHECK: ", "");
    }

    /** Network bwbr in {@code network ls -o json}, as compact JSON. */
    private static String networkLs(Dist dist, String h) {
        JsonElement all = JsonParser.parseString(dist.cli(h, "-o", "json", "network", "ls").ok().out());
        for (JsonElement e : all.isJsonArray() ? all.getAsJsonArray() : all.getAsJsonObject().getAsJsonArray("networks")) {
            if (e.getAsJsonObject().get("name").getAsString().equals("bwbr")) {
                return e.toString();
            }
        }
        throw new AssertionError("no network bwbr in " + all);
    }

    private static long tbfRate(Sandbox sandbox, String ns, String dev) {
        for (JsonElement e : JsonParser.parseString(sandbox.run("tc", "-j", "-raw", "-n", ns, "qdisc", "show", "dev", dev)).getAsJsonArray()) {
            JsonObject q = e.getAsJsonObject();
            if (q.has("root") && q.get("kind").getAsString().equals("tbf")) {
                return q.getAsJsonObject("options").get("rate").getAsLong();
            }
        }
        return -1;
    }

    private static Map<String, String> call(String verb, String id, String netns) {
        return Map.of("CNI_COMMAND", verb, "CNI_CONTAINERID", id, "CNI_NETNS", "/run/netns/" + netns, "CNI_IFNAME", "eth0",
                "CNI_PATH", "/nonexistent");
    }

    private static final String RECEIVE = String.join("\n", "import socket, time",
            "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0', 5001)); s.listen(1)",
            "print('ready', flush=True)", "c, _ = s.accept(); n = 0; t = None",
            "while True:", "    b = c.recv(65536)", "    if not b: break", "    t = t or time.monotonic(); n += len(b)",
            "print(n, time.monotonic() - t, flush=True)");

    /** Mbit/s of {@code bytes} sent over TCP from {@code from} to {@code ip} in {@code to}, timed by the receiver from its first byte. */
    private static double measure(Sandbox sandbox, String from, String to, String ip, int bytes) throws Exception {
        Process receiver = new ProcessBuilder("ip", "netns", "exec", to, "python3", "-c", RECEIVE).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("ready", out.readLine());
            sandbox.run("ip", "netns", "exec", from, "python3", "-c",
                    "import socket; s = socket.create_connection(('" + ip + "', 5001)); s.sendall(bytes(" + bytes + ")); s.close()");
            assertTrue(receiver.waitFor(60, TimeUnit.SECONDS), "the transfer ended within 60 s");
            String[] got = out.readLine().trim().split(" ");
            assertEquals(bytes, Long.parseLong(got[0]));
            return bytes * 8 / Double.parseDouble(got[1]) / 1e6;
        } finally {
            receiver.destroyForcibly();
        }
    }
}
