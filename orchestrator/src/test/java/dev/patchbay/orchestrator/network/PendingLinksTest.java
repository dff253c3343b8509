package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.testing.FakeNetworkStack;
import java.util.List;
import org.junit.jupiter.api.Test;

/** gc's sweep deletes only what carries the bridge plugin's mark (a link group, kernel-tested in DeferredDeleteIT). */
class PendingLinksTest {
    @Test
    void withoutRawNetlinkNothingIsTouched() {
        FakeNetworkStack stack = new FakeNetworkStack();
        FakeNetworkStack.Netns hostState = stack.netns("host");
        try (NetnsHandle host = stack.open(NetnsRef.named("host"))) {
            host.links().add(new LinkSpec.Veth(new IfName("vethdeadbeef"), new IfName("p0"), null, null, null, null));
            host.links().setUp(LinkRef.name("vethdeadbeef"), false);
        }
        assertEquals(List.of(), PendingLinks.sweep(stack, NetnsRef.named("host")));
        assertTrue(hostState.link("vethdeadbeef").isPresent(), "a down veth without the mark is no leftover");
        assertEquals(PendingLinks.GROUP, 0x70626465);
    }
}
