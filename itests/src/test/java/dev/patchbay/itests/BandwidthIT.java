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
 * ifb and vh0's qdiscs.
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
        }
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
