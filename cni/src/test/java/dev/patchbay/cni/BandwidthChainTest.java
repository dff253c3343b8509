package dev.patchbay.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.Qdisc;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.orchestrator.network.FakeHost;
import dev.patchbay.orchestrator.network.Networks;
import dev.patchbay.orchestrator.network.Recovery;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bandwidth} in a network's chain over the fake stack: limits recorded on an attachment (as the CNI type's ADD records
 * them) are checked (the network's health names what is missing) and put back by gc; a rate without its burst is refused.
 */
class BandwidthChainTest {
    @TempDir
    Path dir;

    @Test
    void recordedLimitsAreCheckedAndPutBackByGc() {
        FakeHost host = new FakeHost(dir);
        host.install(BandwidthChain.TYPE, new BandwidthChain(), Map.of(dev.patchbay.core.network.NetworkPlugin.ATTACH_OPTIONS,
                BandwidthConf.KEYS.stream().map(BandwidthConf::option).toArray(String[]::new)));
        Networks networks = host.manager().networks(host.state());
        networks.create(host.host(), new NetworkConfig("bw", "bridge", List.of(BandwidthChain.TYPE), IpPrefix.parse("10.7.0.0/24"),
                IpAddresses.parse("gw", "10.7.0.1"), null, null, Map.of()), false);
        Attachment a = host.attach("bw", "k1");
        Map<String, String> limits = new BandwidthConf(8_000_000, 262_144, 16_000_000, 262_144).options();
        assertThrows(InvalidInputException.class,
                () -> host.manager().attachments(host.state()).recordOptions(host.host(), "bw", "k1", Map.of("ingress-rate", "8000000")));
        host.manager().attachments(host.state()).recordOptions(host.host(), "bw", "k1", limits);

        String ifb = Shaping.ifbName("bw", "k1");
        List<String> missing = status(networks, host).missing();
        assertTrue(missing.toString().contains(a.hostIf() + " has no tbf qdisc") && missing.toString().contains("the ifb " + ifb + " is missing"),
                "recorded, not made yet: " + missing);
        Recovery.Report gc = host.manager().recovery(host.state()).run(host.host());
        assertTrue(gc.repaired().toString().contains("has no tbf qdisc"), gc.toString());
        try (NetnsHandle h = host.stack().open(host.host())) {
            assertEquals(1_000_000, h.qdiscs().root(LinkRef.name(a.hostIf())).map(Qdisc::tokenBucket).orElseThrow().rate());
            assertEquals(2_000_000, h.qdiscs().root(LinkRef.name(ifb)).map(Qdisc::tokenBucket).orElseThrow().rate());
            assertEquals(Optional.of(LinkRef.name(ifb)), h.qdiscs().ingressRedirect(LinkRef.name(a.hostIf())));
        }
        assertEquals("ok", status(networks, host).health(), status(networks, host).toString());

        host.manager().attachments(host.state()).detach(host.host(), "bw", "k1");
        try (NetnsHandle h = host.stack().open(host.host())) {
            assertTrue(h.links().find(LinkRef.name(ifb)).isEmpty(), "the detach's teardown deleted the ifb");
        }
    }

    private static Networks.Status status(Networks networks, FakeHost host) {
        return networks.status(host.host()).stream().filter(s -> s.name().equals("bw")).findFirst().orElseThrow();
    }
}
