package dev.patchbay.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

/**
 * The events of {@code patchbay events -o json} that other tests do not cause, through a daemon of a copied
 * distribution in a throwaway host namespace: a network's health going ok -> missing -> ok as the daemon's repair sees a
 * deleted bridge, a neighbour entry added and deleted by ip, a firewall backend swap, and a plugin jar dropped into bundles/ and taken out again. Every line is
 * parsed as JSON; the waits are bounded and generous, nothing is timed.
 */
@NetnsTest
class EventKindsIT {
    static final String PLUGIN = "dev.patchbay.test.eventplugin";

    @Test
    void healthABackendSwapAndAPluginComingAndGoing(Sandbox sandbox) throws Exception {
        String h = sandbox.netns("h");
        try (Dist dist = Dist.copy()) {
            dist.startDaemon(h);
            try (Events events = Events.start(dist, h)) {
                dist.cli(h, "network", "create", "hl", "--subnet", "10.143.0.0/24", "--bridge", "pbhl0").ok();
                sandbox.run("ip", "-n", h, "link", "del", "pbhl0");
                JsonObject missing = events.next("health-changed", e -> "hl".equals(str(e, "network")));
                assertTrue(str(missing, "detail").startsWith("ok -> missing: ") && str(missing, "detail").contains("pbhl0"), missing.toString());
                assertEquals("patchbay", str(missing, "source"));
                events.next("repaired", e -> "hl".equals(str(e, "network")));
                JsonObject ok = events.next("health-changed", e -> "hl".equals(str(e, "network")));
                assertEquals("missing -> ok", str(ok, "detail"));

                sandbox.run("ip", "-n", h, "neigh", "add", "10.143.0.77", "lladdr", "02:00:00:43:00:77", "dev", "pbhl0", "nud", "permanent");
                JsonObject neigh = events.next("neigh-new", e -> "pbhl0".equals(str(e, "link")));
                assertEquals("kernel", str(neigh, "source"));
                assertEquals("10.143.0.77 lladdr 02:00:00:43:00:77 permanent", str(neigh, "detail"));
                sandbox.run("ip", "-n", h, "neigh", "del", "10.143.0.77", "dev", "pbhl0");
                assertTrue(str(events.next("neigh-del", e -> "pbhl0".equals(str(e, "link"))), "detail").startsWith("10.143.0.77"));

                dist.cli(h, "firewall", "backend", "iptables").ok();
                JsonObject swapped = events.next("backend-swapped", e -> true);
                assertTrue(str(swapped, "detail").contains("-> iptables"), swapped.toString());

                Path jar = bundle(dist.bundles().resolve("eventplugin.jar"));
                JsonObject installed = events.next("plugin-installed", e -> str(e, "detail").startsWith(PLUGIN + " "));
                assertEquals(PLUGIN + " 1.0.0", str(installed, "detail"));
                Files.delete(jar);
                JsonObject removed = events.next("plugin-removed", e -> str(e, "detail").startsWith(PLUGIN + " "));
                assertEquals(PLUGIN + " 1.0.0", str(removed, "detail"));
            } finally {
                dist.cli(h, "network", "rm", "hl", "--force");
            }
        }
    }

    /** A bundle with nothing in it but its manifest: enough for the framework to install it. */
    private static Path bundle(Path target) throws Exception {
        Manifest mf = new Manifest();
        Attributes main = mf.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", PLUGIN);
        main.putValue("Bundle-Version", "1.0.0");
        Path tmp = Files.createTempFile(target.getParent(), ".eventplugin", ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp); JarOutputStream jar = new JarOutputStream(out, mf)) {
            jar.flush();
        }
        Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE); // whole, as a copy that stopped changing
        return target;
    }

    private static String str(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull() ? o.get(key).getAsString() : null;
    }

    /** {@code patchbay events -o json} through the daemon, its lines parsed as they come. */
    private static final class Events implements AutoCloseable {
        private final Process process;
        private final BlockingQueue<JsonObject> lines = new LinkedBlockingQueue<>();
        private final List<JsonObject> seen = new ArrayList<>();

        private Events(Process process) {
            this.process = process;
        }

        static Events start(Dist dist, String netns) throws Exception {
            Process p = dist.start(netns, "-o", "json", "events");
            Events s = new Events(p);
            BlockingQueue<String> err = new LinkedBlockingQueue<>();
            reader(p.getErrorStream(), err::add);
            reader(p.getInputStream(), l -> s.lines.add(JsonParser.parseString(l).getAsJsonObject()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (String l = ""; !l.contains("listening"); ) { // subscribed: what happens from now on is seen
                l = err.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (l == null) {
                    p.destroyForcibly();
                    throw new AssertionError("patchbay events did not start listening within 60 s");
                }
            }
            return s;
        }

        private static void reader(java.io.InputStream in, java.util.function.Consumer<String> to) {
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String l = r.readLine(); l != null; l = r.readLine()) {
                        to.accept(l);
                    }
                } catch (java.io.IOException ignored) {
                    // the process ended
                }
            }, "events-reader");
            t.setDaemon(true);
            t.start();
        }

        /** The next event of {@code type} that {@code matches}, skipping others; a generous bounded wait (30 s). */
        JsonObject next(String type, Predicate<JsonObject> matches) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                JsonObject e = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (e == null) {
                    throw new AssertionError("no " + type + " event within 30 s; seen: " + seen);
                }
                seen.add(e);
                if (type.equals(e.get("type").getAsString()) && matches.test(e)) {
                    return e;
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
