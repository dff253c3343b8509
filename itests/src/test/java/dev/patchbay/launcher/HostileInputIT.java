package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Bad input is refused with a message naming field and value, a non-zero exit, and no partial state. */
@NetnsTest
class HostileInputIT {
    @RegisterExtension
    static final DaemonCli pb = new DaemonCli();

    private static void refused(int code, String fragment, String... args) {
        String before = Sandbox.exec("ip", "-o", "link", "show").output();
        Cli.Run r = pb.cli().run(args);
        assertEquals(code, r.code(), String.join(" ", args) + " -> " + r.err());
        assertTrue(r.err().contains(fragment), "message names the problem: " + r.err());
        assertEquals("", r.out());
        assertEquals(before, Sandbox.exec("ip", "-o", "link", "show").output(), "no link changed");
    }

    @Test
    void networkCreateRefusesBadInput(Sandbox sandbox) throws Exception {
        refused(2, "invalid network name \"a;rm -rf /\"", "network", "create", "a;rm -rf /", "--subnet", "10.0.0.0/24");
        refused(2, "invalid subnet \"10.0.0.0/33\"", "network", "create", "n1", "--subnet", "10.0.0.0/33");
        refused(2, "has host bits set; did you mean 10.0.0.0/24", "network", "create", "n1", "--subnet", "10.0.0.1/24");
        refused(2, "invalid subnet \"999.0.0.0/8\"", "network", "create", "n1", "--subnet", "999.0.0.0/8");
        refused(2, "invalid bridge \"sixteen-bytes-xx\": is 16 bytes long", "network", "create", "n1", "--subnet", "10.0.0.0/24", "--bridge", "sixteen-bytes-xx");
        refused(2, "invalid bridge \"br$(reboot) x\"", "network", "create", "n1", "--subnet", "10.0.0.0/24", "--bridge", "br$(reboot) x");
        refused(2, "invalid mtu \"10\"", "network", "create", "n1", "--subnet", "10.0.0.0/24", "--mtu", "10");
        // through the daemon too, a position is the one typed (the state folder the CLI passes on is not counted)
        refused(2, "Unmatched argument at index 3: 'b'", "network", "inspect", "a", "b");
        assertNoState();
    }

    @Test
    void overlappingSubnetsAreRefused(Sandbox sandbox) throws Exception {
        pb.cli().run("network", "create", "wide", "--subnet", "10.66.0.0/16", "--bridge", "pbwide0").ok();
        try {
            refused(2, "overlaps 10.66.0.0/16 of network \"wide\"", "network", "create", "narrow", "--subnet", "10.66.1.0/24", "--bridge", "pbnar0");
            refused(1, "network \"wide\" already exists", "network", "create", "wide", "--subnet", "10.67.0.0/24", "--bridge", "pbw2");
        } finally {
            pb.cli().run("network", "rm", "wide").ok();
        }
        assertNoState();
    }

    @Test
    void aSubnetTheHostUsesIsRefused(Sandbox sandbox) throws Exception {
        // an uplink of "the host" (the sandbox's namespace): 192.0.2.0/24 connected, its gateway 192.0.2.1 beyond it
        sandbox.run("ip", "link", "add", "pbup0", "type", "veth", "peer", "name", "pbup1");
        try {
            sandbox.run("ip", "addr", "add", "192.0.2.5/24", "dev", "pbup0");
            sandbox.run("ip", "addr", "add", "198.51.100.7/32", "dev", "pbup0");
            sandbox.run("ip", "link", "set", "pbup0", "up");
            sandbox.run("ip", "link", "set", "pbup1", "up");
            refused(2, "invalid subnet \"192.0.2.0/24\": overlaps address 192.0.2.5/24 of pbup0", "network", "create", "up", "--subnet", "192.0.2.0/24", "--bridge", "pbup2");
            refused(2, "invalid subnet \"192.0.2.128/25\": overlaps the route to 192.0.2.0/24 on pbup0", "network", "create", "up", "--subnet", "192.0.2.128/25", "--bridge", "pbup2");
            refused(2, "invalid subnet \"198.51.100.0/24\": overlaps address 198.51.100.7/32 of pbup0", "network", "create", "up", "--subnet", "198.51.100.0/24", "--bridge", "pbup2");
            // a prefix the host reaches only through a gateway is the operator's to shadow
            sandbox.run("ip", "route", "add", "203.0.113.0/24", "via", "192.0.2.1");
            pb.cli().run("network", "create", "up", "--subnet", "203.0.113.0/24", "--bridge", "pbup2").ok();
            pb.cli().run("network", "rm", "up").ok();
        } finally {
            Sandbox.exec("ip", "link", "del", "pbup0");
        }
        assertNoState();
    }

    @Test
    void attachRefusesBadInput(Sandbox sandbox) throws Exception {
        String c = sandbox.netns("c");
        pb.cli().run("network", "create", "att", "--subnet", "10.68.0.0/24", "--bridge", "pbatt0").ok();
        try {
            refused(1, "network \"nosuch\" not found", "attach", "nosuch", "--netns", c);
            refused(2, "invalid publish host port \"0\"", "attach", "att", "--netns", c, "--publish", "0:80");
            refused(2, "invalid publish host port \"65536\"", "attach", "att", "--netns", c, "--publish", "65536:80");
            refused(2, "invalid interface name \"sixteen-bytes-xx\"", "attach", "att", "--netns", c, "--ifname", "sixteen-bytes-xx");
            refused(2, "is not inside the network's subnet", "attach", "att", "--netns", c, "--ip", "10.99.0.5");
            refused(1, "namespace \"no-such-ns\" not found", "attach", "att", "--netns", "no-such-ns");
            refused(2, "give exactly one of --netns, --pid or --path", "attach", "att");
            assertEquals("[]", pb.cli().run("-o", "json", "ls", "att").ok().out().trim());
        } finally {
            pb.cli().run("network", "rm", "att").ok();
        }
        assertNoState();
    }

    @Test
    void aPortPublishedByAnotherContainerIsRefusedAndRolledBack(Sandbox sandbox) throws Exception {
        String c1 = sandbox.netns("c1");
        String c2 = sandbox.netns("c2");
        pb.cli().run("network", "create", "pub", "--subnet", "10.69.0.0/24", "--bridge", "pbpub0").ok();
        try {
            pb.cli().run("attach", "pub", "--netns", c1, "--publish", "8080:80").ok();
            Cli.Run r = pb.cli().run("attach", "pub", "--netns", c2, "--publish", "8080:81");
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains("is already published by container \"" + c1 + "\" on network \"pub\""), r.err());
            assertTrue(!sandbox.execIn(c2, "ip", "-o", "link").output().contains("eth0"), "c2 got no link");
            String ls = pb.cli().run("-o", "json", "ls", "pub").ok().out();
            assertTrue(ls.contains(c1) && !ls.contains(c2), ls);
            pb.cli().run("attach", "pub", "--netns", c2, "--publish", "8081:81").ok(); // another port is fine
        } finally {
            pb.cli().run("network", "rm", "--force", "pub").ok();
        }
        assertNoState();
    }

    private static void assertNoState() throws Exception {
        try (Stream<Path> files = Files.walk(pb.cli().stateDir())) {
            long records = files.filter(Files::isRegularFile)
                    .filter(f -> f.toString().contains("/networks/") || f.toString().contains("/attachments/") || f.toString().contains("/journal/"))
                    .count();
            assertEquals(0, records, "no records left");
        }
    }
}
