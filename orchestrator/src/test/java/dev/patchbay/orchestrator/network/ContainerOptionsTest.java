package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.patchbay.core.model.NetnsRef;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ContainerOptionsTest {
    @Test
    void containerIdsDeriveFromTheNamespaceReference() {
        assertEquals("red", ContainerOptions.idFor(NetnsRef.named("red")));
        assertEquals("pid-42", ContainerOptions.idFor(NetnsRef.pid(42)));
        assertEquals("var_run_netns_cni-1234", ContainerOptions.idFor(NetnsRef.path(Path.of("/var/run/netns/cni-1234"))));
    }
}
