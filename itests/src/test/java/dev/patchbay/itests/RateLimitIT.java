package dev.patchbay.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A third party's chained plugin owns its per-container state: the ratelimit example, built outside the tree and dropped
 * into a running daemon's bundles folder, chained after the bridge. {@code attach --opt rate=10mbit} puts a tbf of
 * 1,250,000 bytes a second on the container's host-side veth ({@code tc -j qdisc}); a qdisc deleted by hand shows as
 * degraded in {@code network ls -o json}, naming the rate limit; {@code gc} puts it back through the plugin's repair.
 * The host is a throwaway namespace {@code h}, the container {@code c1}.
 */
@NetnsTest
class RateLimitIT {
    @Test
    void theRateLimitExamplesQdiscIsSetCheckedAndPutBackByGc(Sandbox sandbox) throws Exception {
        Path jar = Examples.jar("ratelimit");
        String h = sandbox.netns("h");
        String c1 = sandbox.netns("c1");
        try (Dist dist = Dist.copy()) {
            dist.startDaemon(h);
            Files.copy(jar, dist.bundles().resolve(jar.getFileName()));
            assertTrue(Dist.within(10, () -> dist.cli(h, "network", "create", "rl", "--subnet", "10.136.0.0/24", "--chain", "+ratelimit")
                    .code() == 0), "10 s after the jar was dropped in: " + dist.daemonLog());
            dist.cli(h, "attach", "rl", "--netns", c1, "--opt", "rate=10mbit").ok();
            JsonObject tbf = rootTbf(sandbox, h);
            assertNotNull(tbf, "a tbf on a link of " + h + ": " + sandbox.run("tc", "-j", "-n", h, "qdisc", "show"));
            assertEquals(1_250_000, tbf.getAsJsonObject("options").get("rate").getAsLong(), tbf.toString());
            String veth = tbf.get("dev").getAsString();
            assertEquals("ok", health(dist, h).get("health").getAsString());
            System.out.println("ratelimit: 10mbit on " + veth + ", measured " + measure(sandbox, h, c1));

            sandbox.run("tc", "-n", h, "qdisc", "del", "dev", veth, "root");
            assertNull(rootTbf(sandbox, h));
            JsonObject rl = health(dist, h);
            assertEquals("degraded", rl.get("health").getAsString(), rl.toString());
            assertTrue(rl.toString().contains("rate limit 10mbit on \\\"" + veth + "\\\""), "names what the plugin's check found missing: " + rl);

            String gc = dist.cli(h, "gc").ok().out();
            assertTrue(gc.contains("repaired rate limit 10mbit"), "gc repaired it through the plugin: " + gc);
            JsonObject back = rootTbf(sandbox, h);
            assertNotNull(back, gc);
            assertEquals(veth, back.get("dev").getAsString());
            assertEquals(1_250_000, back.getAsJsonObject("options").get("rate").getAsLong());
            assertEquals("ok", health(dist, h).get("health").getAsString());

            dist.cli(h, "detach", "rl", "--netns", c1).ok();
            dist.cli(h, "network", "rm", "rl").ok();
        }
    }

    /** The one root tbf in {@code ns} ({@code tc -j qdisc show}: every link's), or null. */
    private static JsonObject rootTbf(Sandbox sandbox, String ns) {
        JsonObject found = null;
        for (JsonElement e : JsonParser.parseString(sandbox.run("tc", "-j", "-n", ns, "qdisc", "show")).getAsJsonArray()) {
            JsonObject q = e.getAsJsonObject();
            if (q.has("root") && q.get("kind").getAsString().equals("tbf")) {
                assertNull(found, "one tbf only");
                found = q;
            }
        }
        return found;
    }

    private static JsonObject health(Dist dist, String h) {
        JsonElement all = JsonParser.parseString(dist.cli(h, "-o", "json", "network", "ls").ok().out());
        for (JsonElement e : all.isJsonArray() ? all.getAsJsonArray() : all.getAsJsonObject().getAsJsonArray("networks")) {
            if (e.getAsJsonObject().get("name").getAsString().equals("rl")) {
                return e.getAsJsonObject();
            }
        }
        throw new AssertionError("no network rl in " + all);
    }

    private static final String RECEIVE = String.join("\n", "import socket, time",
            "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0', 5001)); s.listen(1)",
            "print('ready', flush=True)", "c, _ = s.accept(); n = 0; t = None",
            "while True:", "    b = c.recv(65536)", "    if not b: break", "    t = t or time.monotonic(); n += len(b)",
            "print(n, time.monotonic() - t, flush=True)");

    /**
     * Roughly what reaches the container: 3,000,000 bytes from the host to c1 over TCP, timed by the receiver from its first
     * byte to the end (python3 on both sides). Reported, not asserted.
     */
    private static String measure(Sandbox sandbox, String h, String c1) throws Exception {
        String ip = sandbox.run("ip", "-n", c1, "-4", "-o", "addr", "show", "dev", "eth0").replaceAll("(?s).*inet ([0-9.]+)/.*", "$1");
        Process receiver = new ProcessBuilder("ip", "netns", "exec", c1, "python3", "-c", RECEIVE).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("ready", out.readLine());
            sandbox.run("ip", "netns", "exec", h, "python3", "-c",
                    "import socket; s = socket.create_connection(('" + ip + "', 5001)); s.sendall(bytes(3000000)); s.close()");
            assertTrue(receiver.waitFor(60, TimeUnit.SECONDS), "the transfer ended within 60 s");
            String[] got = out.readLine().trim().split(" ");
            double seconds = Double.parseDouble(got[1]);
            return String.format("%s bytes in %.2f s = %.2f Mbit/s", got[0], seconds, Long.parseLong(got[0]) * 8 / seconds / 1e6);
        } finally {
            receiver.destroyForcibly();
        }
    }
}
