package dev.patchbay.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.model.IpAddresses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResolvConfTest {
    private static ResolvConf.Entry entry(String network, String domain, String... servers) {
        return new ResolvConf.Entry(network, java.util.Arrays.stream(servers).map(s -> IpAddresses.parse("s", s)).toList(), domain);
    }

    @Test
    void oneNetworkThenASecondThenTheFirstLeaves() {
        String one = ResolvConf.with(null, entry("web", "patchbay.internal", "10.0.0.1", "fd00::1"));
        assertEquals(ResolvConf.MARK + "\n# network web: 10.0.0.1 fd00::1; search patchbay.internal\n"
                + "nameserver 10.0.0.1\nnameserver fd00::1\nsearch patchbay.internal\n", one);
        String two = ResolvConf.with(one, entry("db", "db.lab", "10.1.0.1"));
        assertEquals(List.of("web", "db"), ResolvConf.entries(two).stream().map(ResolvConf.Entry::network).toList());
        assertTrue(two.endsWith("nameserver 10.0.0.1\nnameserver fd00::1\nnameserver 10.1.0.1\nsearch patchbay.internal db.lab\n"), two);
        assertEquals(two, ResolvConf.with(two, entry("db", "db.lab", "10.1.0.1")), "again: the same file");
        String left = ResolvConf.without(two, "web");
        assertEquals(ResolvConf.MARK + "\n# network db: 10.1.0.1; search db.lab\nnameserver 10.1.0.1\nsearch db.lab\n", left);
        assertNull(ResolvConf.without(left, "db"), "the last one leaves: no file");
    }

    @Test
    void aFileOfSomeoneElsesIsLeftAlone(@TempDir Path etc) throws Exception {
        Path file = etc.resolve("red/resolv.conf");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "nameserver 192.0.2.53\n");
        assertFalse(ResolvConf.add(etc, "red", entry("web", "patchbay.internal", "10.0.0.1")));
        ResolvConf.remove(etc, "red", "web");
        assertEquals("nameserver 192.0.2.53\n", Files.readString(file));
    }

    @Test
    void writtenThenRemovedWithItsFolder(@TempDir Path etc) throws Exception {
        assertTrue(ResolvConf.add(etc, "red", entry("web", "patchbay.internal", "10.0.0.1")));
        assertTrue(Files.readString(etc.resolve("red/resolv.conf")).contains("nameserver 10.0.0.1\n"));
        ResolvConf.remove(etc, "red", "other");
        assertTrue(Files.exists(etc.resolve("red/resolv.conf")), "another network's removal leaves it");
        ResolvConf.remove(etc, "red", "web");
        assertFalse(Files.exists(etc.resolve("red")));
        ResolvConf.remove(etc, "red", "web"); // absent is fine
    }

    /** A lost record's dns option, read back from the files of the namespaces attached by name. */
    @Test
    void aRebuiltRecordServesDnsWhenAnAttachedNamespacesFileListsTheNetwork(@TempDir Path etc) throws Exception {
        java.util.List<dev.patchbay.core.network.Attachment> red = java.util.List.of(Fixture.attachment("red", "/run/netns/red", java.util.Map.of(), "10.90.0.2/24"));
        assertTrue(DnsPlugin.recovered(etc, "web", java.util.List.of()), "no namespace attached by name: network create's default");
        assertFalse(DnsPlugin.recovered(etc, "web", red), "red has no file: made with --dns=false");
        ResolvConf.add(etc, "red", entry("web", "patchbay.internal", "10.90.0.1"));
        assertTrue(DnsPlugin.recovered(etc, "web", red));
        assertFalse(DnsPlugin.recovered(etc, "db", red), "red's file lists web, not db");
    }
}
