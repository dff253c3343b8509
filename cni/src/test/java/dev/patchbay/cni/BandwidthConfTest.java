package dev.patchbay.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.Qdisc;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bandwidth keys as the reference plugin reads them: bits, the capability before the configuration, Go's keys. */
class BandwidthConfTest {
    private static JsonObject json(String s) {
        return JsonParser.parseString(s).getAsJsonObject();
    }

    private static String refused(String conf) {
        CniError e = assertThrows(CniError.class, () -> BandwidthConf.of(json(conf)));
        assertEquals(CniError.INVALID_CONFIG, e.code());
        return e.getMessage();
    }

    @Test
    void theConfigurationsKeysAreBitsAndBecomeATokenBucketInBytes() {
        BandwidthConf b = BandwidthConf.of(json("{\"type\":\"bandwidth\",\"ingressRate\":8000000,\"ingressBurst\":262144,"
                + "\"egressRate\":16000000,\"egressBurst\":524288}"));
        assertEquals(new BandwidthConf(8_000_000, 262_144, 16_000_000, 524_288), b);
        assertTrue(b.ingress() && b.egress());
        // 1 MB/s, a burst of 32 KiB, and 25 ms at the rate queued behind it
        assertEquals(new Qdisc.TokenBucket(1_000_000, 32_768, 32_768 + 25_000), b.ingressBucket());
        assertEquals(new Qdisc.TokenBucket(2_000_000, 65_536, 65_536 + 50_000), b.egressBucket());
    }

    @Test
    void theCapabilityWinsOverTheConfigurationWithGoFieldNames() {
        BandwidthConf b = BandwidthConf.of(json("{\"ingressRate\":8000000,\"ingressBurst\":262144,"
                + "\"runtimeConfig\":{\"bandwidth\":{\"EgressRate\":1000000,\"EgressBurst\":4294967295}}}"));
        assertEquals(new BandwidthConf(0, 0, 1_000_000, 4_294_967_295L), b, "containerd's burst: MaxUint32 bits");
        assertFalse(b.ingress());
        assertEquals(536_870_911, b.egressBucket().burst());
    }

    @Test
    void nothingSetShapesNothing() {
        BandwidthConf b = BandwidthConf.of(json("{\"type\":\"bandwidth\",\"runtimeConfig\":{}}"));
        assertFalse(b.ingress() || b.egress());
        assertEquals(new BandwidthConf(0, 0, 0, 0), BandwidthConf.of(json("{\"ingressRate\":0,\"ingressBurst\":null}")));
    }

    @Test
    void badValuesAreRefusedNamingTheKeyAndTheValue() {
        assertEquals("ingressRate: \"-1\" must be a whole number of bits per second, 0 or more", refused("{\"ingressRate\":-1,\"ingressBurst\":8}"));
        assertEquals("egressBurst: \"1.5\" must be a whole number of bits, 0 or more", refused("{\"egressRate\":800,\"egressBurst\":1.5}"));
        String quoted = refused("{\"ingressRate\":\"10M\",\"ingressBurst\":8}");
        assertTrue(quoted.startsWith("ingressRate: ") && quoted.contains("10M") && quoted.endsWith("must be a whole number of bits per second, 0 or more"), quoted);
        assertEquals("runtimeConfig.bandwidth.IngressBurst: \"18446744073709551616\" must be a whole number of bits, 0 or more",
                refused("{\"runtimeConfig\":{\"bandwidth\":{\"IngressRate\":8,\"IngressBurst\":18446744073709551616}}}"));
        assertEquals("ingressBurst: is required with ingressRate 8000 (bits)", refused("{\"ingressRate\":8000}"));
        assertEquals("egressRate: is required with egressBurst 8000 (bits per second)", refused("{\"egressBurst\":8000}"));
        assertEquals("egressRate: \"7\" must be at least 8 bits per second (a byte)", refused("{\"egressRate\":7,\"egressBurst\":800}"));
        assertEquals("ingressBurst: \"17179869184\" must be at most 17179869176 bits (2 GB)", refused("{\"ingressRate\":800,\"ingressBurst\":17179869184}"));
        assertTrue(refused("{\"runtimeConfig\":{\"bandwidth\":7}}").startsWith("runtimeConfig.bandwidth: \"7\" must be an object"));
    }

    @Test
    void theIfbIsNamedByTheNetworkAndTheContainerInFifteenCharacters() {
        String n = Shaping.ifbName("k8s-pod-network", "abc123");
        assertEquals(15, n.length());
        assertTrue(n.matches("bwp[0-9a-f]{12}"), n);
        assertEquals(n, Shaping.ifbName("k8s-pod-network", "abc123"));
        assertFalse(n.equals(Shaping.ifbName("k8s-pod-network", "abc124")));
    }

    @Test
    void theLimitsGoToAnAttachmentsOptionsAndComeBackTheSame() {
        BandwidthConf b = new BandwidthConf(0, 0, 1_000_000, 4_294_967_295L);
        assertEquals(Map.of("egress-rate", "1000000", "egress-burst", "4294967295"), b.options(), "the directions not shaped are left out");
        assertEquals(b, BandwidthConf.of(b.options()));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> BandwidthConf.of(Map.of("ingress-rate", "8M")));
        assertEquals("ingress-rate", e.field());
        InvalidInputException pair = assertThrows(InvalidInputException.class, () -> BandwidthConf.of(Map.of("ingress-rate", "8000000")));
        assertEquals("ingress-burst", pair.field(), pair.getMessage());
        assertTrue(pair.getMessage().contains("is required with ingress-rate 8000000"), pair.getMessage());
    }

    @Test
    void theChainsPluginTakesTheAttachmentsLimitsOverTheNetworksAndNamesTheIfbByTheCniId() {
        NetworkConfig net = new NetworkConfig("n", "bridge", List.of("bandwidth"), dev.patchbay.core.model.IpPrefix.parse("10.1.0.0/24"), null,
                null, null, Map.of("ingress-rate", "8000000", "ingress-burst", "8000"));
        assertEquals(new BandwidthConf(8_000_000, 8000, 0, 0), BandwidthChain.limits(net, Map.of()));
        assertEquals(new BandwidthConf(16_000_000, 8000, 0, 0), BandwidthChain.limits(net, Map.of("ingress-rate", "16000000")));
        Attachment second = new Attachment("n", "abc@eth1", "/run/netns/x", null, null, null, List.of(), List.of());
        assertEquals(Shaping.ifbName("n", "abc"), BandwidthChain.ifb(second), "as the CNI type named it: by the container's id");
    }
}
