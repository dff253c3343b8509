package dev.patchbay.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.InvalidInputException;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ModelTest {

    @ParameterizedTest
    @ValueSource(strings = {"eth0", "br-0123456789ab", "veth.1", "a"})
    void acceptsKernelInterfaceNames(String name) {
        assertEquals(name, new IfName(name).value());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "sixteen-bytes-xx", "a/b", "a b", "a:b", ".", "..", "tab\tx", "nul\0x", "$(reboot)x_long_"})
    void refusesBadInterfaceNames(String name) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> new IfName(name));
        assertEquals("interface name", e.field());
        assertTrue(e.getMessage().contains("interface name"), e.getMessage());
        assertEquals(2, e.exitCode());
    }

    @Test
    void fifteenBytesIsTheLimitCountedInBytes() {
        new IfName("x".repeat(15));
        assertThrows(InvalidInputException.class, () -> new IfName("é".repeat(8))); // 16 bytes, 8 chars
    }

    @Test
    void formatsIpv6InItsShortestFormTheFirstLongestZeroRunAsDoubleColon() {
        for (String[] c : new String[][] {{"fd00:0:0:0:0:0:0:1", "fd00::1"}, {"0:0:0:0:0:0:0:0", "::"}, {"0:0:0:0:0:0:0:1", "::1"},
                {"1:0:0:0:0:0:0:0", "1::"}, {"1:0:0:1:0:0:0:1", "1:0:0:1::1"}, {"1:0:0:2:0:0:3:4", "1::2:0:0:3:4"},
                {"1:0:1:0:1:0:1:0", "1:0:1:0:1:0:1:0"}, {"2001:DB8:0:0:8:800:200C:417A", "2001:db8::8:800:200c:417a"}}) {
            assertEquals(c[1], IpAddresses.format(IpAddresses.parse("ip", c[0])), c[0]);
        }
        assertFalse(IpPrefix.parse("fd00::/64").contains(IpAddresses.parse("ip", "10.0.0.1")), "another family");
    }

    @Test
    void parsesPrefixes() {
        IpPrefix p = IpPrefix.parse("10.0.0.7/24");
        assertEquals("10.0.0.0/24", p.network().toString());
        assertEquals("10.0.0.255", IpAddresses.format(p.last()));
        assertTrue(p.contains(IpAddresses.parse("ip", "10.0.0.200")));
        assertFalse(p.contains(IpAddresses.parse("ip", "10.0.1.1")));
        assertEquals(256, p.size());
        assertEquals("fd00::/64", IpPrefix.parse("fd00::1/64").network().toString());
        assertEquals("10.0.0.1/32", IpPrefix.parse("10.0.0.1").toString());
        assertTrue(IpPrefix.parse("10.0.0.0/16").overlaps(IpPrefix.parse("10.0.3.0/24")));
        assertFalse(IpPrefix.parse("10.0.0.0/24").overlaps(IpPrefix.parse("10.0.1.0/24")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "10.0.0.256/24", "example.com/24", "10.0.0/24", "fd00::/129", "10.0.0.0/-1", "10.0.0.0/x"})
    void refusesBadPrefixes(String text) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> IpPrefix.parse("subnet", text));
        assertEquals("subnet", e.field());
        assertTrue(e.getMessage().contains(text.split("/")[0]), e.getMessage());
    }

    @Test
    void subnetsRefuseHostBits() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> IpPrefix.parseSubnet("subnet", "10.0.0.1/24"));
        assertTrue(e.getMessage().contains("10.0.0.0/24"), e.getMessage());
    }

    @Test
    void parsesPortMappings() {
        PortMapping m = PortMapping.parse("8080:80");
        assertEquals(Protocol.TCP, m.protocol());
        assertNull(m.hostIp());
        assertEquals(8080, m.hostPorts().first());
        assertEquals(80, m.containerPorts().first());
        PortMapping r = PortMapping.parse("127.0.0.1:9000-9009:9000-9009/udp");
        assertEquals(Protocol.UDP, r.protocol());
        assertEquals("127.0.0.1", IpAddresses.format(r.hostIp()));
        assertEquals(10, r.hostPorts().size());
        assertEquals("[::1]:53:53/sctp", PortMapping.parse("[::1]:53:53/sctp").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0:80", "65536:80", "80", "80:80/icmp", "1-5:1-4", "a:b", "10.0.0.300:80:80", "9:8:7:6", ":80"})
    void refusesBadPortMappings(String text) {
        assertThrows(InvalidInputException.class, () -> PortMapping.parse(text));
    }

    @Test
    void parsesNamespaceReferences() {
        assertEquals(NetnsRef.current(), NetnsRef.parse(null));
        assertEquals(Path.of("/run/netns/red"), NetnsRef.parse("red").path());
        assertEquals(Path.of("/proc/42/ns/net"), NetnsRef.parse("pid:42").path());
        assertEquals(Path.of("/var/run/netns/x"), NetnsRef.parse("/var/run/netns/x").path());
        assertThrows(InvalidInputException.class, () -> NetnsRef.parse("pid:abc"));
        assertThrows(InvalidInputException.class, () -> NetnsRef.named("a b"));
        assertThrows(InvalidInputException.class, () -> NetnsRef.named(".."));
    }

    @Test
    void macAddresses() {
        MacAddress m = MacAddress.parse("02:42:AC:11:00:02");
        assertEquals("02:42:ac:11:00:02", m.value());
        assertEquals(m, MacAddress.of(m.bytes()));
        assertTrue(m.isLocalUnicast());
        assertThrows(InvalidInputException.class, () -> MacAddress.parse("02:42:ac:11:00"));
    }
}
