package dev.patchbay.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The networks of a plugin removed for good are not stuck: their containers can be detached, the network removed with
 * {@code --force}, and {@code gc} detaches the containers whose namespace went, all from the records (links, rules,
 * addresses), while a new attach still refuses naming the missing driver.
 */
@NetnsTest
class MissingPluginIT {

    @Test
    void theNetworksOfARemovedDriverCanBeDetachedRemovedAndCollected(Sandbox sandbox) throws Exception {
        Path jar = Examples.jar("macvlan");
        String h = Examples.hostWithParent(sandbox);
        String c1 = sandbox.netns("c1");
        String c2 = sandbox.netns("c2");
        String c3 = sandbox.netns("c3");
        try (Dist dist = Dist.copy().withoutDaemon()) {
            Path dropped = dist.bundles().resolve(jar.getFileName());
            Files.copy(jar, dropped);
            dist.cli(h, "network", "create", "mv", "--driver", "macvlan", "--chain", "firewall,portmap", "--opt", "parent=up0",
                    "--subnet", "10.136.0.0/24").ok();
            String[] containers = {c1, c2, c3};
            for (int i = 0; i < containers.length; i++) {
                dist.cli(h, "attach", "mv", "--netns", containers[i], "--publish", (8081 + i) + ":80/tcp").ok();
            }
            assertTrue(dist.cli(h, "-o", "json", "firewall", "show").ok().out().contains("mv"), "the network has rules");
            Files.delete(dropped); // removed for good

            Dist.Run refused = dist.cli(h, "attach", "mv", "--netns", c1, "--ifname", "eth1");
            assertNotEquals(0, refused.code());
            assertTrue(refused.err().contains("no network driver \"macvlan\" is installed"), refused.all());

            dist.cli(h, "detach", "mv", "--netns", c1).ok();
            assertFalse(sandbox.run("ip", "-n", c1, "link").contains("eth0"), "c1's macvlan is gone");

            sandbox.run("ip", "netns", "del", c2);
            Dist.Run gc = dist.cli(h, "gc").ok();
            assertTrue(gc.all().contains(c2), gc.all());
            String left = dist.cli(h, "-o", "json", "ls", "mv").ok().out();
            assertTrue(left.contains(c3) && !left.contains(c2) && !left.contains(c1), left);

            dist.cli(h, "network", "rm", "mv", "--force").ok();
            assertFalse(sandbox.run("ip", "-n", c3, "link").contains("eth0"), "c3's macvlan is gone");
            assertEquals("[]", dist.cli(h, "-o", "json", "network", "ls").ok().out().strip());
            String rules = dist.cli(h, "-o", "json", "firewall", "show").ok().out();
            assertFalse(rules.contains("mv"), "no rule of the network is left: " + rules);
            Dist.Run ipam = dist.cli(h, "-o", "json", "ipam", "ls");
            assertFalse(ipam.out().contains("10.136.0."), "no address is left reserved: " + ipam.all());
        }
    }
}
