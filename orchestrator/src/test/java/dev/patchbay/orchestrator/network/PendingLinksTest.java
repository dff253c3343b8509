package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.LinkChange;
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
    void aDownLinkWithoutTheMarkStays() {
        FakeNetworkStack stack = new FakeNetworkStack();
        FakeNetworkStack.Netns hostState = stack.netns("host");
        try (NetnsHandle host = stack.open(NetnsRef.named("host"))) {
            host.links().add(new LinkSpec.Veth(new IfName("vethdeadbeef"), new IfName("p0"), null, null, null, null));
            host.links().setUp(LinkRef.name("vethdeadbeef"), false);
        }
        assertEquals(List.of(), PendingLinks.sweep(stack, NetnsRef.named("host")));
        assertTrue(hostState.link("vethdeadbeef").isPresent(), "a down veth without the mark is no leftover");
        assertEquals(0, stack.openHandles(), "the namespace is closed again");
    }

    @Test
    void theMarkedGroupGoesAndTheLinksThatWentAreNamed() {
        FakeNetworkStack fake = new FakeNetworkStack();
        fake.netns("host");
        try (NetnsHandle host = fake.open(NetnsRef.named("host"))) {
            host.links().add(new LinkSpec.Veth(new IfName("vbold2"), new IfName("p2"), null, null, null, null));
            host.links().add(new LinkSpec.Veth(new IfName("vbold1"), new IfName("p1"), null, null, null, null));
            host.links().add(new LinkSpec.Veth(new IfName("vblive"), new IfName("p3"), null, null, null, null));
            LinkChange mark = new LinkChange(false, null, null, PendingLinks.GROUP);
            host.links().set(LinkRef.name("vbold1"), mark);
            host.links().set(LinkRef.name("vbold2"), mark);
        }
        assertEquals(List.of("p1", "p2", "vbold1", "vbold2"), PendingLinks.sweep(fake, NetnsRef.named("host")), "each end that went, sorted");
        assertTrue(fake.netns("host").link("vblive").isPresent());
        assertEquals(0x70626465, PendingLinks.GROUP, "\"pbde\", as plugins-bridge's LinkReaper marks");
    }
}
