package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.testing.FakeNetworkStack;
import org.junit.jupiter.api.Test;

/**
 * One request's view of the stack ({@link RequestStack}): each namespace opened once however often the request's steps
 * open it, a handle it lends surviving its borrower's close, every handle closed when the request ends.
 */
class RequestStackTest {
    final FakeNetworkStack stack = new FakeNetworkStack();

    @Test
    void eachNamespaceIsOpenedOnceAndClosedWhenTheRequestEnds() {
        stack.netns("a");
        stack.netns("b");
        try (RequestStack rs = new RequestStack(stack)) {
            try (NetnsHandle first = rs.open(NetnsRef.named("a"))) {
                first.links().add(LinkSpec.Other.of("d0", "dummy"));
            }
            try (NetnsHandle again = rs.open(NetnsRef.named("a"))) {
                assertTrue(again.links().find(dev.patchbay.core.model.LinkRef.name("d0")).isPresent(), "still open after its borrower closed it");
            }
            rs.open(NetnsRef.named("b"));
            rs.open(NetnsRef.named("b"));
            assertEquals(2, stack.openHandles());
        }
        assertEquals(0, stack.openHandles(), "the request's end closes what it opened");
    }

    /** A chained plugin shaping a container's interface (the ratelimit example) gets the stack's qdiscs through a lent handle. */
    @Test
    void aLentHandleGivesTheStacksQdiscs() {
        stack.netns("a");
        try (RequestStack rs = new RequestStack(stack); NetnsHandle a = rs.open(NetnsRef.named("a"))) {
            a.links().add(LinkSpec.Other.of("d0", "dummy"));
            dev.patchbay.core.model.Qdisc.TokenBucket b = new dev.patchbay.core.model.Qdisc.TokenBucket(125_000, 16_384, 20_000);
            a.qdiscs().setRoot(dev.patchbay.core.model.LinkRef.name("d0"), b);
            assertEquals(b, stack.netns("a").qdisc("d0").orElseThrow().tokenBucket());
        }
    }

    @Test
    void theRestGoesToTheStack() {
        stack.netns("a");
        try (RequestStack rs = new RequestStack(stack)) {
            assertEquals(stack.identity(NetnsRef.named("a")), rs.identity(NetnsRef.named("a")));
            assertEquals(Integer.valueOf(7), rs.callIn(NetnsRef.named("a"), () -> 7));
            assertTrue(rs.namespaces().exists(NetnsRef.named("a")));
            assertEquals(0, stack.openHandles(), "none of these opens a handle of the request's");
        }
    }

    @Test
    void aNamespaceThatCannotBeOpenedIsNotKept() {
        try (RequestStack rs = new RequestStack(stack)) {
            assertThrows(dev.patchbay.core.errors.NotFoundException.class, () -> rs.open(NetnsRef.named("none")));
            stack.netns("none");
            rs.open(NetnsRef.named("none")); // made meanwhile: opened now
            assertEquals(1, stack.openHandles());
        }
        assertEquals(0, stack.openHandles());
    }
}
