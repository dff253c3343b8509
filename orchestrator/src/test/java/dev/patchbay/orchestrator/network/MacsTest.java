package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which MACs an interface can have: the kernel refuses a group or all-zero address only when the veth is made. */
class MacsTest {
    @Test
    void zeroBroadcastAndMulticastAreRefusedAUnicastIsNot() {
        assertTrue(Macs.unusable(MacAddress.parse("00:00:00:00:00:00")).orElseThrow().contains("all zero"));
        assertTrue(Macs.unusable(MacAddress.parse("ff:ff:ff:ff:ff:ff")).orElseThrow().contains("broadcast"));
        assertTrue(Macs.unusable(MacAddress.parse("01:00:5e:00:00:01")).orElseThrow().contains("multicast"));
        assertTrue(Macs.unusable(MacAddress.parse("33:33:00:00:00:01")).orElseThrow().contains("multicast"));
        assertEquals(Optional.empty(), Macs.unusable(MacAddress.parse("02:42:ac:11:00:02")));
        assertEquals(Optional.empty(), Macs.unusable(MacAddress.parse("00:16:3e:00:00:01")));
        assertEquals(Optional.empty(), Macs.unusable(null));
    }

    /** Any driver's host interface and its ports, not only a bridge named by the bridge driver's option: a MAC they hold is refused. */
    @Test
    void aMacTheNetworksHostInterfaceHoldsIsRefusedWhateverTheDriver(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        FakeHost h = new FakeHost(dir);
        IfName sw = new IfName("sw0");
        h.m.addPlugin(new NetworkPlugin() {
            @Override public IfName hostInterface(NetworkConfig config) { return sw; }
            @Override public void validate(NetworkContext ctx, List<NetworkConfig> others) { }
            @Override public void setUpNetwork(NetworkContext ctx) { ctx.host().links().ensure(new LinkSpec.Bridge(sw, null, null)); }
        }, ChainRollbackTest.ref("switch", "dev.patchbay.test.switch", 13, 0));
        h.ipam.prefixes.put("s", "10.6.0.");
        h.networks().create(h.host, new NetworkConfig("s", "switch", List.of(), IpPrefix.parse("10.6.0.0/24"), null, null, null, Map.of()), true);
        MacAddress held = h.kernel(h.host).link("sw0").orElseThrow().mac();
        NetnsRef ctr = h.namespace("c1");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> h.attachments().attach(h.host,
                new AttachRequest("s", "c1", ctr, new IfName("eth0"), List.of(), held, List.of())));
        assertTrue(e.getMessage().contains("is held on network \"s\" by bridge sw0"), e.getMessage());
    }
}
