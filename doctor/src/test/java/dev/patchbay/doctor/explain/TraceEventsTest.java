package dev.patchbay.doctor.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The lines of nft monitor trace (as nftables 1.0.6 prints them) read as hops. */
class TraceEventsTest {
    private static final String PKT = "iif \"br0\" oif \"up0\" ether saddr 8e:fc:46:56:c5:21 ip saddr 10.9.0.2 ip daddr 198.51.100.2 ip protocol icmp";

    @Test
    void aDropOfAnotherToolIsNamedWithItsTableAndChain() {
        List<String> lines = List.of(
                "trace id 03440060 inet patchbay-explain pre packet: " + PKT,
                "trace id 03440060 inet patchbay-explain pre rule ip saddr 10.9.0.2 ip daddr 198.51.100.2 meta nftrace set 1 (verdict continue)",
                "trace id 03440060 inet patchbay-explain pre policy accept ",
                "trace id f9a4300e ip filter FORWARD packet: " + PKT,
                "trace id f9a4300e ip filter FORWARD rule ip saddr 10.9.0.0/24  counter packets 0 bytes 0 accept (verdict accept)",
                "trace id f9a4300e inet other forward packet: " + PKT,
                "trace id f9a4300e inet other forward rule ip daddr 198.51.100.2 counter packets 0 bytes 0 drop (verdict drop)",
                "trace id 11111111 inet patchbay-explain pre packet: " + PKT);
        List<Hop> hops = TraceEvents.hops(TraceEvents.firstPacket(TraceEvents.parse(lines)));
        assertEquals(2, hops.size(), hops.toString());
        assertEquals(new Hop("firewall", "ok", "accepted by rule \"ip saddr 10.9.0.0/24 counter packets 0 bytes 0 accept\" in table ip filter, chain FORWARD",
                "ip filter", "FORWARD", "ip saddr 10.9.0.0/24 counter packets 0 bytes 0 accept"), hops.get(0));
        Hop drop = hops.get(1);
        assertTrue(drop.isBroken());
        assertEquals("inet other", drop.table());
        assertEquals("forward", drop.chain());
        assertEquals("ip daddr 198.51.100.2 counter packets 0 bytes 0 drop", drop.rule());
    }

    @Test
    void aPacketThatLeavesIsRewrittenThenSeenByTheLateChain() {
        List<String> lines = List.of(
                "trace id 1 inet patchbay-explain pre packet: " + PKT,
                "trace id 2 inet patchbay filter-fwd rule iifname \"br0\" accept comment \"net:web\" (verdict accept)",
                "trace id 2 ip filter FORWARD policy drop",
                "trace id 3 ip nat POSTROUTING rule ip saddr 10.9.0.0/24 counter packets 0 bytes 0 masquerade (verdict accept)",
                "trace id 3 inet patchbay-explain post packet: iif \"br0\" oif \"up0\" ip saddr 198.51.100.1 ip daddr 198.51.100.2");
        List<Hop> hops = TraceEvents.hops(TraceEvents.firstPacket(TraceEvents.parse(lines)));
        assertEquals("firewall", hops.get(0).step());
        assertEquals("inet patchbay", hops.get(0).table());
        Hop policy = hops.get(1);
        assertTrue(policy.isBroken(), "a policy drop breaks the path: " + policy);
        assertEquals("policy drop", policy.rule());
        assertEquals(2, hops.size());

        List<Hop> out = TraceEvents.hops(TraceEvents.firstPacket(TraceEvents.parse(lines.stream().filter(l -> !l.contains("policy drop")).toList())));
        assertEquals(List.of("firewall", "nat", "leaves"), out.stream().map(Hop::step).toList());
        assertEquals("out of up0 from 198.51.100.1", out.get(2).detail());
    }

    @Test
    void aPacketThatVanishesWithoutAVerdictIsBroken() {
        List<Hop> hops = TraceEvents.hops(TraceEvents.firstPacket(TraceEvents.parse(List.of(
                "trace id 1 inet patchbay-explain pre packet: " + PKT, "trace id 1 inet patchbay-explain pre policy accept"))));
        assertEquals(1, hops.size());
        assertTrue(hops.get(0).isBroken());
        assertTrue(hops.get(0).detail().startsWith("the packet vanished with no rule dropping it"), hops.get(0).detail());
    }

    @Test
    void theTraceTableMarksOnlyTheProbe() {
        String s = Trace.script(new Trace.Match(null, dev.patchbay.core.model.IpAddresses.parse("d", "10.0.0.2"), dev.patchbay.core.model.Protocol.TCP, 80));
        assertTrue(s.contains("add rule inet patchbay-explain pre ip daddr 10.0.0.2 tcp dport 80 meta nftrace set 1\n"), s);
    }
}
