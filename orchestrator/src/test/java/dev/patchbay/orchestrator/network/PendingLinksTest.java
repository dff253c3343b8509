package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.spi.NetlinkChannel;
import dev.patchbay.core.spi.NetworkStack;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

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

    /** The fake, with a raw rtnetlink socket that plays the kernel: it records the request and answers {@code errno}. */
    private static NetworkStack withRawNetlink(FakeNetworkStack fake, int errno, List<ByteBuffer> sent, Runnable kernel) {
        NetlinkChannel ch = new NetlinkChannel() {
            @Override public int protocol() { return 0; }
            @Override public void close() { }

            @Override
            public void send(ByteBuffer datagram) {
                sent.add(ByteBuffer.allocate(datagram.remaining()).order(ByteOrder.nativeOrder()).put(datagram).flip());
                if (errno == 0) {
                    kernel.run();
                }
            }

            @Override
            public ByteBuffer receive() { // NLMSG_ERROR carrying -errno (0: the ACK)
                return ByteBuffer.allocate(36).order(ByteOrder.nativeOrder()).putInt(36).putShort((short) 2).putShort((short) 0)
                        .putInt(1).putInt(0).putInt(-errno).flip();
            }
        };
        return (NetworkStack) java.lang.reflect.Proxy.newProxyInstance(PendingLinksTest.class.getClassLoader(), new Class<?>[] {NetworkStack.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("openNetlink")) {
                        return ch;
                    }
                    try {
                        return method.invoke(fake, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void oneDeleteOfTheGroupAndTheLinksThatWentAreNamed() {
        FakeNetworkStack fake = new FakeNetworkStack();
        fake.netns("host");
        try (NetnsHandle host = fake.open(NetnsRef.named("host"))) {
            host.links().add(new LinkSpec.Veth(new IfName("vbold2"), new IfName("p2"), null, null, null, null));
            host.links().add(new LinkSpec.Veth(new IfName("vbold1"), new IfName("p1"), null, null, null, null));
            host.links().add(new LinkSpec.Veth(new IfName("vblive"), new IfName("p3"), null, null, null, null));
        }
        List<ByteBuffer> sent = new java.util.ArrayList<>();
        NetworkStack stack = withRawNetlink(fake, 0, sent, () -> { // the kernel deletes the marked pairs
            try (NetnsHandle host = fake.open(NetnsRef.named("host"))) {
                host.links().delete(LinkRef.name("vbold1"));
                host.links().delete(LinkRef.name("vbold2"));
            }
        });
        assertEquals(List.of("p1", "p2", "vbold1", "vbold2"), PendingLinks.sweep(stack, NetnsRef.named("host")), "each end that went, sorted");
        assertTrue(fake.netns("host").link("vblive").isPresent());
        ByteBuffer m = sent.get(0);
        assertEquals(1, sent.size(), "one request");
        assertEquals(17, m.getShort(4), "RTM_DELLINK");
        assertEquals(0, m.getInt(20), "by group, no index");
        assertEquals(27, m.getShort(34), "IFLA_GROUP");
        assertEquals(PendingLinks.GROUP, m.getInt(36));
    }

    @Test
    void nothingMarkedIsNoErrorAnotherErrorIsNamed() {
        FakeNetworkStack fake = new FakeNetworkStack();
        fake.netns("host");
        assertEquals(List.of(), PendingLinks.sweep(withRawNetlink(fake, 19, new java.util.ArrayList<>(), null), NetnsRef.named("host")),
                "ENODEV: no link in the group");
        BackendException e = assertThrows(BackendException.class,
                () -> PendingLinks.sweep(withRawNetlink(fake, 1, new java.util.ArrayList<>(), null), NetnsRef.named("host")));
        assertEquals("deleting link group " + PendingLinks.GROUP + " in namespace \"host\" failed: errno 1", e.getMessage());
        assertEquals(0, fake.openHandles(), "the namespace is closed again");
    }
}
