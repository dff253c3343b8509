package dev.patchbay.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The events bundle is optional: with its jar deleted from {@code bundles/}, the orchestrator and the firewall host
 * still resolve and start (they import {@code dev.patchbay.events} with {@code resolution:=optional}), the network
 * lifecycle works (posting an event is then a no-op), and {@code patchbay events} is an unknown command that says so.
 */
@NetnsTest
class WithoutEventsIT {

    @Test
    void theLifecycleWorksWithoutTheEventsBundle(Sandbox sandbox) throws Exception {
        String h = sandbox.netns("h");
        String c1 = sandbox.netns("c1");
        try (Dist dist = Dist.copy().withoutDaemon()) {
            List<Path> events;
            try (Stream<Path> jars = Files.list(dist.bundles())) {
                events = jars.filter(p -> p.getFileName().toString().matches("events-.*\\.jar")).toList();
            }
            assertEquals(1, events.size(), "one events jar in the distribution: " + events);
            Files.delete(events.get(0));

            Map<String, JsonObject> plugins = dist.plugins(h);
            assertFalse(plugins.containsKey("dev.patchbay.events"), plugins.keySet().toString());
            for (String bsn : List.of("dev.patchbay.orchestrator", "dev.patchbay.firewall.host")) {
                JsonObject b = plugins.get(bsn);
                assertEquals("ACTIVE", b.get("state").getAsString(), bsn + ": " + b);
                assertEquals("[]", b.get("problems").toString(), bsn + ": " + b);
            }

            dist.cli(h, "network", "create", "n1", "--subnet", "10.137.0.0/24").ok();
            dist.cli(h, "attach", "n1", "--netns", c1, "--publish", "8080:80/tcp").ok();
            assertTrue(sandbox.run("ip", "-n", c1, "-4", "addr", "show", "eth0").contains("10.137.0."), "c1 has its address");
            dist.cli(h, "detach", "n1", "--netns", c1).ok();
            assertFalse(sandbox.run("ip", "-n", c1, "link").contains("eth0"), "c1's eth0 is gone");
            dist.cli(h, "network", "rm", "n1").ok();
            assertEquals("[]", dist.cli(h, "-o", "json", "network", "ls").ok().out().strip());

            Dist.Run unknown = dist.cli(h, "events");
            assertNotEquals(0, unknown.code(), unknown.all());
            assertTrue(unknown.err().contains("no command 'events': no installed bundle provides it"), "says a bundle is missing: " + unknown.all());
        }
    }
}
