package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Options per attachment ({@code attach --opt}): the chain's plugins get them in the request, the record keeps them
 * whatever a plugin returned, a publish and a MAC recorded later keep them; a key no plugin of the chain takes per
 * attachment is refused before anything changes.
 */
class AttachOptionsTest {
    @TempDir
    Path dir;
    FakeHost h;
    final List<Map<String, String>> seen = new ArrayList<>();

    /** A chained plugin taking {@code rate} per attachment; its set-up returns an attachment without options, as plugins do. */
    final NetworkPlugin shaper = new NetworkPlugin() {
        @Override public Map<String, String> options() { return Map.of("rate", "bits a second", "burst", "bytes"); }
        @Override public void validate(NetworkContext ctx, List<NetworkConfig> others) { }
        @Override public void validate(NetworkContext ctx, AttachRequest request) { seen.add(request.options()); }

        @Override
        public Attachment setUp(NetworkContext ctx, AttachRequest request, Attachment p) {
            seen.add(request.options());
            return new Attachment(p.network(), p.containerId(), p.netnsPath(), p.ifName(), p.hostIf(), p.mac(), p.addresses(), p.ports());
        }
    };

    @BeforeEach
    void networkWithAShaper() {
        h = new FakeHost(dir);
        h.m.addPlugin(shaper, ChainRollbackTest.ref("shaper", "dev.patchbay.test.shaper", 12, 0, Map.of(NetworkPlugin.ROLE,
                NetworkPlugin.CHAINED, NetworkPlugin.ATTACH_OPTIONS, new String[] {"rate"})));
        h.ipam.prefixes.put("n", "10.9.0.");
        h.networks().create(h.host(), new NetworkConfig("n", "bridge", List.of("shaper"), IpPrefix.parse("10.9.0.0/24"),
                IpAddresses.parse("gw", "10.9.0.1"), null, null, Map.of()), false);
    }

    private Attachment attach(String id, Map<String, String> options) {
        return h.attachments().attach(h.host(), new AttachRequest("n", id, h.namespace(id), new IfName("eth0"), List.of(), null,
                List.of(), false, options));
    }

    @Test
    void thePluginsGetThemAndTheRecordKeepsThem() {
        Attachment a = attach("c1", Map.of("rate", "1000"));
        assertEquals(List.of(Map.of("rate", "1000"), Map.of("rate", "1000")), seen, "validate, then set up");
        assertEquals(Map.of("rate", "1000"), a.options());
        assertEquals(Map.of("rate", "1000"), h.attachments().find("n", "c1").orElseThrow().options());

        h.attachments().publish(h.host(), "n", "c1", List.of(PortMapping.parse("8080:80")), true);
        h.attachments().recordMac("n", "c1", dev.patchbay.core.model.MacAddress.parse("02:00:00:00:00:09"));
        Attachment after = h.attachments().find("n", "c1").orElseThrow();
        assertEquals(List.of(PortMapping.parse("8080:80")), after.ports());
        assertEquals(Map.of("rate", "1000"), after.options(), "kept by a publish and a MAC recorded");
        assertEquals(Map.of(), attach("c2", null).options());
    }

    @Test
    void aKeyNoPluginTakesPerAttachmentIsRefusedBeforeAnythingChanges() {
        AttachRequest r = new AttachRequest("n", "c1", h.namespace("c1"), new IfName("eth0"), List.of(), null, List.of(), false,
                Map.of("burst", "10"));
        String before = h.stack().calls() + "|" + h.attachments().list("n") + "|" + h.ipam.held;
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> h.attachments().attach(h.host(), r));
        assertEquals("opt", e.field());
        assertTrue(e.getMessage().contains("\"burst\": is not an attach option of network \"n\"'s chain (bridge, shaper: it takes rate)"),
                e.getMessage());
        assertEquals(before, h.stack().calls() + "|" + h.attachments().list("n") + "|" + h.ipam.held);
        assertTrue(seen.isEmpty(), "no plugin was asked");
    }
}
