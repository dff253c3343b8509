package dev.patchbay.example.starter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.NetnsRef;
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

/** The plugin over the test kit's fake stack (core's test-jar, from the distribution's maven/ folder): no kernel, no root. */
class RpFilterTest {
    private final FakeNetworkStack stack = new FakeNetworkStack();

    private NetworkContext network(Map<String, String> options) {
        NetworkConfig config = new NetworkConfig("n", "bridge", List.of("rpfilter"), IpPrefix.parse("10.9.0.0/24"), null, null, null, options);
        stack.netns("host");
        NetnsHandle host = stack.open(NetnsRef.named("host"));
        return new NetworkContext(host, stack, config, new IfName("pb-n"));
    }

    @Test
    void theContainersInterfaceGetsTheModeAsked() {
        stack.netns("c1");
        try (NetnsHandle c1 = stack.open(NetnsRef.named("c1"))) { // the driver made the interface before this chained plugin runs
            c1.links().add(new LinkSpec.Veth(new IfName("eth0"), new IfName("p0"), null, null, null, null));
        }
        NetworkContext ctx = network(Map.of(RpFilter.MODE, "2"));
        AttachRequest request = new AttachRequest("n", "c1", NetnsRef.named("c1"), new IfName("eth0"), List.of(), null, List.of(), true);
        Attachment made = new Attachment("n", "c1", "/run/netns/c1", new IfName("eth0"), null, null, List.of(), List.of());
        new RpFilter().setUp(ctx, request, made);
        assertEquals(Optional.of("2"), stack.netns("c1").sysctl("net.ipv4.conf.eth0.rp_filter"));
    }

    @Test
    void aModeOutOfRangeIsRefusedNamingTheOption() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new RpFilter().validate(network(Map.of(RpFilter.MODE, "7")), List.of()));
        assertEquals(RpFilter.MODE, e.field());
    }
}
