package dev.patchbay.plugin.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkRef;
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
import org.junit.jupiter.api.Test;

/**
 * The daemon's deferred link deletion on the in-memory stack (no raw netlink there: each link is deleted on its own): a
 * detach unplugs at once, the pair goes at the next batch, and only what still is as it was queued is deleted.
 */
class LinkReaperTest {
    private final FakeNetworkStack stack = new FakeNetworkStack();
    private final FakeNetworkStack.Netns hostState = stack.netns("host");
    private final FakeNetworkStack.Netns red = stack.netns("red");
    private final NetnsHandle host = stack.open(NetnsRef.named("host"));
    private final BridgePlugin plugin = new BridgePlugin();
    private final NetworkConfig web = BridgePluginTest.ipv4("web", Map.of("bridge", "br0"));
    private final NetworkContext ctx;

    LinkReaperTest() {
        plugin.stack = stack;
        ctx = new NetworkContext(host, stack, web, plugin.hostInterface(web));
        plugin.setUpNetwork(ctx);
    }

    /** A reaper whose batches run only in clear and close: the test decides when links are deleted. */
    private LinkReaper manual() {
        LinkReaper r = new LinkReaper(stack, false);
        plugin.reaper = r;
        return r;
    }

    private Attachment attach(String id) {
        stack.netns(id);
        AttachRequest req = new AttachRequest("web", id, NetnsRef.named(id), new IfName("eth0"), List.of(), null, List.of());
        return plugin.setUp(ctx, req, new Attachment("web", id, null, new IfName("eth0"), null, null,
                List.of(IpPrefix.parse("10.88.0.5/24")), List.of()));
    }

    private void detach(Attachment a) {
        ErrorCollector errors = new ErrorCollector();
        plugin.tearDown(ctx, a, errors);
        errors.throwIfAny("tear down");
    }

    /** Veth links of a namespace, as names. */
    private static List<String> veths(FakeNetworkStack.Netns ns) {
        return ns.links().stream().filter(l -> "veth".equals(l.kind())).map(l -> l.name().value()).toList();
    }

    @Test
    void aDetachTakesTheHostEndDownAtOnceAndTheBatchDeletesThePair() {
        LinkReaper reaper = manual();
        Attachment a = attach("red");
        assertTrue(red.link("eth0").orElseThrow().lowerUp(), "carrier while attached");

        detach(a);

        Link parked = hostState.link(a.hostIf().value()).orElseThrow();
        assertFalse(parked.up(), "the host end is down");
        assertEquals(LinkReaper.GROUP, hostState.group(a.hostIf().value()), "and marked, in the same request");
        assertTrue(stack.calls().stream().anyMatch(c -> c.startsWith("host links.set ")), stack.calls().toString());
        assertFalse(red.link("eth0").orElseThrow().lowerUp(), "the container's end lost carrier at once");
        assertEquals(1, reaper.pending());

        assertTrue(reaper.clear(null));
        assertEquals(List.of(), veths(hostState));
        assertEquals(List.of(), veths(red));
        assertEquals(0, reaper.pending());
        assertFalse(reaper.clear(null), "nothing left to do");
    }

    @Test
    void anImmediateReattachDeletesTheWaitingPairFirst() {
        LinkReaper reaper = manual();
        Attachment first = attach("red");
        int old = hostState.link(first.hostIf().value()).orElseThrow().index();
        detach(first);

        Attachment again = attach("red"); // the names are taken by the pair waiting for its deletion

        assertEquals(first.hostIf(), again.hostIf(), "the same deterministic name");
        Link now = hostState.link(again.hostIf().value()).orElseThrow();
        assertTrue(now.index() != old && now.up() && now.masterIndex() != null, "a new pair: " + hostState);
        assertTrue(red.link("eth0").orElseThrow().lowerUp());
        assertEquals(0, reaper.pending());
        reaper.clear(null);
        assertEquals(now.index(), hostState.link(again.hostIf().value()).orElseThrow().index(), "the new pair stays");
    }

    /**
     * FirewallSwapIT once, under load: the attach's add met the pair still waiting, then the reaper's thread finished that
     * batch before the set-up's clear ran, which found nothing to delete, and the attach failed ("link ... or its peer
     * ... already exists") with its names free. Here the thread's batch runs exactly in that window.
     */
    @Test
    void aReattachWhoseWaitingPairTheThreadDeletesMidSetUpStillAttaches() {
        LinkReaper reaper = manual();
        Attachment first = attach("red");
        detach(first);
        Runnable[] once = {() -> reaper.clear(null)}; // the thread's batch: the queue taken, the group deleted
        NetnsHandle racing = withLinks(host, (m, args) -> {
            try {
                return m.invoke(host.links(), args);
            } catch (java.lang.reflect.InvocationTargetException e) {
                if (m.getName().equals("add") && e.getCause() instanceof AlreadyExistsException && once[0] != null) {
                    once[0].run();
                    once[0] = null;
                }
                throw e.getCause();
            }
        });
        NetworkContext racingCtx = new NetworkContext(racing, stack, web, plugin.hostInterface(web));
        AttachRequest req = new AttachRequest("web", "red", NetnsRef.named("red"), new IfName("eth0"), List.of(), null, List.of());

        Attachment again = plugin.setUp(racingCtx, req, new Attachment("web", "red", null, new IfName("eth0"), null, null,
                List.of(IpPrefix.parse("10.88.0.5/24")), List.of()));

        assertTrue(once[0] == null, "the add met the waiting pair, and the batch ran after it");
        Link now = hostState.link(again.hostIf().value()).orElseThrow();
        assertTrue(now.up() && now.masterIndex() != null, hostState.toString());
        assertTrue(red.link("eth0").orElseThrow().lowerUp(), "plugged in again under eth0");
    }

    /** {@code h} with its link operations going through {@code ops}. */
    private static NetnsHandle withLinks(NetnsHandle h, Ops ops) {
        dev.patchbay.core.spi.LinkOps links = (dev.patchbay.core.spi.LinkOps) java.lang.reflect.Proxy.newProxyInstance(
                LinkReaperTest.class.getClassLoader(), new Class<?>[] {dev.patchbay.core.spi.LinkOps.class}, (p, m, a) -> ops.call(m, a));
        return (NetnsHandle) java.lang.reflect.Proxy.newProxyInstance(LinkReaperTest.class.getClassLoader(),
                new Class<?>[] {NetnsHandle.class}, (p, m, a) -> {
                    if (m.getName().equals("links")) {
                        return links;
                    }
                    return invoke(h, m, a);
                });
    }

    interface Ops {
        Object call(java.lang.reflect.Method m, Object[] args) throws Throwable;
    }

    /** The same window in validate: the container's eth0 seen, then the thread's batch, then validate's own clear. */
    @Test
    void anotherNetworksAttachWhoseContainerNameTheThreadFreesMidValidateIsValid() {
        LinkReaper reaper = manual();
        detach(attach("red"));
        NetworkConfig db = BridgePluginTest.ipv4("db", Map.of("bridge", "br1"));
        plugin.setUpNetwork(new NetworkContext(host, stack, db, plugin.hostInterface(db)));
        Runnable[] once = {() -> reaper.clear(null)};
        dev.patchbay.core.spi.NetworkStack racing = (dev.patchbay.core.spi.NetworkStack) java.lang.reflect.Proxy.newProxyInstance(
                LinkReaperTest.class.getClassLoader(), new Class<?>[] {dev.patchbay.core.spi.NetworkStack.class}, (p, m, args) -> {
                    Object out = invoke(stack, m, args);
                    if (!m.getName().equals("open") || !args[0].equals(NetnsRef.named("red"))) {
                        return out;
                    }
                    NetnsHandle ctr = (NetnsHandle) out;
                    return withLinks(ctr, (lm, la) -> {
                        Object found = invoke(ctr.links(), lm, la);
                        if (lm.getName().equals("find") && once[0] != null) {
                            once[0].run(); // right after validate saw eth0
                            once[0] = null;
                        }
                        return found;
                    });
                });
        plugin.stack = racing; // the reaper's own stack is the plugin's: a context on it uses the reaper
        NetworkContext dbCtx = new NetworkContext(host, racing, db, plugin.hostInterface(db));

        plugin.validate(dbCtx, new AttachRequest("db", "red", NetnsRef.named("red"), new IfName("eth0"), List.of(), null, List.of()));

        assertTrue(once[0] == null && red.link("eth0").isEmpty());
    }

    private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Test
    void aMarkedLinkGoesWithItsGroupAndANewLinkOfItsNameStays() {
        LinkReaper reaper = manual();
        Attachment a = attach("red");
        detach(a);
        host.links().rename(LinkRef.name(a.hostIf()), new IfName("moved0")); // still marked: the group takes it
        host.links().add(new LinkSpec.Veth(a.hostIf(), new IfName("p0"), null, null, null, null));

        assertTrue(reaper.clear(null));

        assertTrue(hostState.link("moved0").isEmpty(), "marked: deleted with the group: " + hostState);
        assertTrue(hostState.link(a.hostIf().value()).isPresent(), "a new link of the name is not marked: kept");
        assertFalse(hostState.links().stream().anyMatch(l -> hostState.group(l.name().value()) == LinkReaper.GROUP));
    }

    @Test
    void whereTheGroupCannotBeDeletedOnlyWhatStillIsAsQueuedIsDeleted() {
        LinkReaper reaper = manual();
        stack.failOn("links.deleteGroup", 1, new dev.patchbay.core.errors.BackendException("link groups refused"));
        stack.netns("blue");
        stack.netns("green");
        stack.netns("gray");
        Attachment r = attach("red");
        Attachment b = attach("blue");
        Attachment g = attach("green");
        Attachment y = attach("gray");
        detach(r);
        detach(b);
        detach(g);
        detach(y);
        host.links().setUp(LinkRef.name(r.hostIf()), true); // someone took red's link back into use
        host.links().rename(LinkRef.name(b.hostIf()), new IfName("kept0")); // and renamed blue's
        host.links().delete(LinkRef.name(y.hostIf())); // and deleted gray's, then made a new link of that name
        host.links().add(new LinkSpec.Veth(y.hostIf(), new IfName("p0"), null, null, null, null));

        reaper.clear(null);

        assertTrue(hostState.link(r.hostIf().value()).isPresent(), "up again: kept");
        assertTrue(hostState.link("kept0").isPresent(), "renamed: kept");
        assertTrue(hostState.link(y.hostIf().value()).isPresent(), "a new link of the name: kept");
        assertTrue(hostState.link(g.hostIf().value()).isEmpty(), "only green's went: " + hostState);
    }

    @Test
    void theThreadDeletesInTheBackgroundAndStoppingDeletesWhatIsQueued() throws Exception {
        LinkReaper reaper = new LinkReaper(stack, true);
        plugin.reaper = reaper;
        detach(attach("red"));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!veths(hostState).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(List.of(), veths(hostState), "deleted without a clear");

        stack.netns("blue");
        detach(attach("blue"));
        plugin.deactivate(); // closes the reaper: what is queued goes first
        assertEquals(List.of(), veths(hostState));
        assertNull(plugin.reaper);

        Attachment late = attach("red");
        reaper.unplug(host, late.hostIf()); // after close: deleted at once
        assertEquals(List.of(), veths(hostState));
        assertEquals(0, reaper.pending());
    }

    @Test
    void theContainersInterfaceIsFreedForAnotherNetworksAttach() {
        LinkReaper reaper = manual();
        detach(attach("red"));
        assertTrue(red.link("eth0").isPresent(), "the container's end waits with its pair");

        NetworkConfig db = BridgePluginTest.ipv4("db", Map.of("bridge", "br1"));
        NetworkContext dbCtx = new NetworkContext(host, stack, db, plugin.hostInterface(db));
        plugin.setUpNetwork(dbCtx);
        plugin.validate(dbCtx, new AttachRequest("db", "red", NetnsRef.named("red"), new IfName("eth0"), List.of(), null, List.of()));

        assertEquals(0, reaper.pending(), "validate deleted the waiting pair");
        assertTrue(red.link("eth0").isEmpty());
    }

    @Test
    void aSetUpDeletesItsOwnDownLinkLeftUnderItsName() {
        manual();
        Attachment a = attach("red");
        host.links().setUp(LinkRef.name(a.hostIf()), false); // a detach that stopped after taking the link down
        int old = hostState.link(a.hostIf().value()).orElseThrow().index();

        Attachment again = attach("red");

        Link now = hostState.link(again.hostIf().value()).orElseThrow();
        assertTrue(now.index() != old && now.up() && now.masterIndex() != null);
    }

    @Test
    void withoutADaemonASetUpInTheWayFailsAsBeforeAndATearDownDeletesAtOnce() {
        Attachment a = attach("red");
        host.links().setUp(LinkRef.name(a.hostIf()), false);
        assertThrows(AlreadyExistsException.class, () -> attach("red"));
        detach(a);
        assertEquals(List.of(), veths(hostState));
        assertEquals(List.of(), veths(red));
    }

    @Test
    void aDaemonDefersUnlessTheFrameworkSaysOtherwise() {
        assertTrue(LinkReaper.wanted("true", null));
        assertFalse(LinkReaper.wanted(null, null));
        assertFalse(LinkReaper.wanted("true", "false"));
        assertTrue(LinkReaper.wanted(null, "true"));
    }
}
