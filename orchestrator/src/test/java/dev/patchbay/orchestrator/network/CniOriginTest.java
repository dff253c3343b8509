package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.network.Attachment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A CNI origin is kept beside its attachment's record, through every rewrite of the record (a publish). */
class CniOriginTest {
    @TempDir
    Path state;

    @Test
    void anOriginSurvivesARewriteAndTheCliAttachmentHasNone() {
        NetworkStore store = new NetworkStore(state);
        Attachment cni = new Attachment("n1", "c1@eth1", "/run/netns/x", new IfName("eth1"), null, null,
                List.of(IpPrefix.parse("address", "10.1.0.3/24")), List.of());
        Attachment cli = new Attachment("n1", "k1", "/run/netns/k1", new IfName("eth0"), null, null, List.of(), List.of());
        CniOrigin origin = new CniOrigin("c1", new IfName("eth1"), "bridge:0123", "c1@eth1");
        store.save(cni, "boot/1", origin);
        store.save(cli, "boot/2");
        store.save(cni.withPorts(List.of())); // what a publish does: the record is written again
        assertEquals(Optional.of(origin), store.origin("n1", "c1@eth1"));
        assertEquals(Optional.empty(), store.origin("n1", "k1"));
        assertEquals(Map.of("c1@eth1", origin), store.origins("n1"));
        assertEquals("boot/1", store.netnsId("n1", "c1@eth1"));
        assertTrue(origin.is("c1", new IfName("eth1")) && !origin.is("c1", new IfName("eth0")));
    }
}
