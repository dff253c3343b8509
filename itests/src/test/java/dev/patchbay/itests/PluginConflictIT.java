package dev.patchbay.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.util.Map;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * Two bundles providing one network plugin type: one serves by a stated rule (Patchbay's own bundles first, then the
 * highest service ranking, then the lowest bundle id) and {@code plugins ls} shows the conflict on both.
 */
@NetnsTest
class PluginConflictIT {
    private static final String RULE = "(Patchbay's own bundles first, then the highest service.ranking, then the lowest bundle id)";

    @Test
    void oneProviderServesByTheRuleAndPluginsLsShowsTheConflict(Sandbox sandbox) throws Exception {
        String h = sandbox.netns("h");
        String c1 = sandbox.netns("c1");
        Matcher m = BrokenBundles.NETWORK_IMPORT.matcher(BrokenBundles.imports(Examples.jar("macvlan")));
        assertTrue(m.find());
        String range = "version=\"[" + m.group(1) + "." + m.group(2) + "," + m.group(3) + ")\"";
        try (Dist dist = Dist.copy().withoutDaemon()) {
            // a.jar is installed first (the folder is read by name): of two third-party "faulty" drivers, a's serves
            FaultyBundle.write(dist.home(), dist.bundles().resolve("a.jar"), range, "dev.patchbay.test.first", "faulty");
            FaultyBundle.write(dist.home(), dist.bundles().resolve("b.jar"), range, "dev.patchbay.test.second", "faulty");
            FaultyBundle.write(dist.home(), dist.bundles().resolve("c.jar"), range, "dev.patchbay.test.bridge", "bridge");
            Map<String, JsonObject> plugins = dist.plugins(h);
            String first = plugins.get("dev.patchbay.test.first").getAsJsonArray("problems").toString();
            String second = plugins.get("dev.patchbay.test.second").getAsJsonArray("problems").toString();
            assertTrue(first.contains("conflict: network-plugin \\\"faulty\\\" is also provided by dev.patchbay.test.second 1.2.3 (bundle ")
                    && first.contains("; this bundle's serves " + RULE), first);
            assertTrue(second.contains("conflict: network-plugin \\\"faulty\\\" is also provided by dev.patchbay.test.first 1.2.3 (bundle ")
                    && second.contains("; dev.patchbay.test.first 1.2.3's serves " + RULE), second);
            String bridge = plugins.get("dev.patchbay.test.bridge").getAsJsonArray("problems").toString();
            assertTrue(bridge.contains("conflict: network-plugin \\\"bridge\\\" is also provided by dev.patchbay.plugin.bridge ")
                    && bridge.contains("; dev.patchbay.plugin.bridge "), bridge);
            assertTrue(plugins.get("dev.patchbay.plugin.bridge").getAsJsonArray("problems").toString().contains("this bundle's serves"));
            assertTrue(dist.cli(h, "plugins", "ls").ok().out().contains("conflict: network-plugin \"bridge\""));

            // Patchbay's bridge serves the bridge networks: a Linux bridge and a veth, no "fy" link of the impostor
            dist.cli(h, "network", "create", "web", "--subnet", "10.137.0.0/24", "--bridge", "pb137").ok();
            dist.cli(h, "attach", "web", "--netns", c1).ok();
            String links = sandbox.run("ip", "-n", h, "-o", "link");
            assertTrue(links.contains("pb137") && !links.contains(" fy"), links);
            dist.cli(h, "detach", "web", "--netns", c1).ok();
            dist.cli(h, "network", "rm", "web").ok();
            // of the two "faulty" drivers, the first bundle's serves: its failure names it
            dist.cli(h, "network", "create", "f", "--driver", "faulty", "--opt", "fault=throw", "--subnet", "10.138.0.0/24").ok();
            Dist.Run r = dist.cli(h, "attach", "f", "--netns", c1);
            assertTrue(r.code() == 1 && r.err().contains("plugin \"faulty\" (dev.patchbay.test.first 1.2.3) failed to set up"), r.all());
            dist.cli(h, "network", "rm", "f").ok();
        }
    }
}
