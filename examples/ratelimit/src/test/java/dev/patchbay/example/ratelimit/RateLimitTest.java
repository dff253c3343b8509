package dev.patchbay.example.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.Qdisc;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.testing.FakeNetworkStack;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The plugin over the test kit's fake stack: no kernel, no root. */
class RateLimitTest {
    private final FakeNetworkStack stack = new FakeNetworkStack();
    private final RateLimit plugin = new RateLimit();

    /** A bridge-like network whose driver made {@code veth1} in the host for container c1's {@code eth0}. */
    private NetworkContext network(Map<String, String> options) {
        stack.netns("host");
        stack.netns("c1");
        NetnsHandle host = stack.open(NetnsRef.named("host"));
        if (host.links().find(LinkRef.name("veth1")).isEmpty()) {
            host.links().add(new LinkSpec.Veth(IfName.of("veth1"), IfName.of("eth0"), NetnsRef.named("c1"), null, null, null));
        }
        NetworkConfig config = new NetworkConfig("n", "bridge", List.of("ratelimit"), IpPrefix.parse("10.9.0.0/24"), null, null, null, options);
        return new NetworkContext(host, stack, config, IfName.of("pb-n"));
    }

    private static Attachment attachment(IfName hostIf, Map<String, String> options) {
        return new Attachment("n", "c1", "/run/netns/c1", IfName.of("eth0"), hostIf, null, List.of(), List.of(), options);
    }

    private static AttachRequest request(Map<String, String> options) {
        return new AttachRequest("n", "c1", NetnsRef.named("c1"), IfName.of("eth0"), List.of(), null, List.of(), false, options);
    }

    @Test
    void ratesAndSizesAreReadAsTcWritesThem() {
        assertEquals(1_250_000, Rates.rate("10mbit"));
        assertEquals(2_000_000, Rates.rate("2mbps"));
        assertEquals(125, Rates.rate("1000"), "bits a second");
        assertEquals(65_536, Rates.size("64kb"));
        assertEquals(new Qdisc.TokenBucket(1_250_000, 32_768, 95_268), Rates.bucket("10mbit", null), "32kb, 50 ms of queue");
        assertEquals(Rates.RATE, assertThrows(InvalidInputException.class, () -> Rates.rate("10 furlongs")).field());
        assertEquals(Rates.BURST, assertThrows(InvalidInputException.class, () -> Rates.size("-1")).field());
    }

    @Test
    void theContainersHostSideLinkGetsItsOwnRateAndCheckAndRepairFollowIt() {
        NetworkContext ctx = network(Map.of(Rates.RATE, "100mbit"));
        plugin.validate(ctx, request(Map.of(Rates.RATE, "10mbit")));
        plugin.setUp(ctx, request(Map.of(Rates.RATE, "10mbit")), attachment(IfName.of("veth1"), Map.of()));
        Attachment recorded = attachment(IfName.of("veth1"), Map.of(Rates.RATE, "10mbit"));
        assertEquals(1_250_000, stack.netns("host").qdisc("veth1").orElseThrow().tokenBucket().rate(), "the attachment's, not the network's");
        assertEquals(List.of(), plugin.check(ctx, recorded));

        ctx.host().qdiscs().deleteRoot(LinkRef.name("veth1")); // someone ran tc qdisc del dev veth1 root
        assertEquals(List.of("rate limit 10mbit on \"veth1\""), plugin.check(ctx, recorded));
        assertEquals(true, plugin.repair(ctx, recorded));
        assertEquals(List.of(), plugin.check(ctx, recorded));
        assertEquals(List.of("rate limit 100mbit on \"veth1\""), plugin.check(ctx, attachment(IfName.of("veth1"), Map.of())),
                "another container of the network wants the network's rate");

        ErrorCollector errors = new ErrorCollector();
        plugin.tearDown(ctx, recorded, errors);
        assertEquals(true, errors.isEmpty());
        assertEquals(Optional.empty(), stack.netns("host").qdisc("veth1"));
    }

    @Test
    void withoutAHostSideLinkTheContainersOwnInterfaceIsShaped() {
        NetworkContext ctx = network(Map.of(Rates.RATE, "1gbit"));
        plugin.setUp(ctx, request(Map.of()), attachment(null, Map.of()));
        assertEquals(125_000_000, stack.netns("c1").qdisc("eth0").orElseThrow().tokenBucket().rate());
    }

    @Test
    void noRateNoQdiscAndABadOneIsRefusedBeforeAnythingChanges() {
        NetworkContext ctx = network(Map.of());
        plugin.setUp(ctx, request(Map.of()), attachment(IfName.of("veth1"), Map.of()));
        assertEquals(Optional.empty(), stack.netns("host").qdisc("veth1"));
        assertEquals(List.of(), plugin.check(ctx, attachment(IfName.of("veth1"), Map.of())));
        assertEquals(Rates.RATE, assertThrows(InvalidInputException.class, () -> plugin.validate(ctx, request(Map.of(Rates.RATE, "fast")))).field());
        assertEquals(Rates.BURST, assertThrows(InvalidInputException.class,
                () -> plugin.validate(network(Map.of(Rates.RATE, "1mbit", Rates.BURST, "x")), List.of())).field());
    }
}
