package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.testing.FakeNetworkStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Reconcile through gc ({@link Recovery#run}), the daemon's look ({@link Recovery#watch}) and {@code network ls}
 * ({@link Networks#status}), over the fake kernel: what a record asks for and the kernel lacks is made again (the bridge,
 * its gateway, forwarding, a container's veth pair and address, the rules), a container whose namespace is gone is
 * detached, and what no record names is left alone.
 */
class ReconcileTest extends OneContainer {
    @Override
    protected String[] ports() {
        return new String[] {"18080:80/tcp"};
    }

    /** Changes the host's kernel behind the orchestrator's back, as an operator's {@code ip} would. */
    private void behindItsBack(java.util.function.Consumer<NetnsHandle> change) {
        try (NetnsHandle host = h.stack.open(h.host)) {
            change.accept(host);
        }
    }

    private Link link(String name) {
        return kernel().link(name).orElseThrow(() -> new AssertionError("no link " + name + " in " + kernel()));
    }

    private void assertWhole() {
        Link br = link("pb-n");
        assertTrue(br.up());
        assertEquals(List.of(IpPrefix.parse("10.9.0.1/24")), kernel().addresses("pb-n"));
        assertEquals("1", kernel().sysctl("net.ipv4.ip_forward").orElseThrow().strip());
        Link port = link(c1.hostIf().value());
        assertEquals(Integer.valueOf(br.index()), port.masterIndex(), "a port of the bridge");
        assertTrue(port.up());
        FakeNetworkStack.Netns ctr = container(c1);
        assertEquals(c1.addresses(), ctr.addresses("eth0"));
        assertEquals(Set.of(RulesetOwner.of("net:n"), RulesetOwner.of("att:n/c1")),
                h.fw.owners(h.host).stream().filter(o -> Rebuild.owns("n", o)).collect(java.util.stream.Collectors.toSet()));
        assertEquals("ok", status().health(), status().missing().toString());
    }

    private Networks.Status status() {
        return h.networks().status(h.host).get(0);
    }

    @Test
    void aWholeNetworkIsLeftAsItIsByGc() {
        assertWhole();
        h.stack.clearCalls();
        Recovery.Report r = h.recovery().run(h.host);
        assertEquals(List.of(), r.repaired(), r.toString());
        assertEquals(List.of(), r.detached());
        assertEquals(List.of(), r.errors());
        assertEquals(List.of(), h.stack.calls().stream().filter(c -> !c.contains("sysctl.ensure") && !c.contains("links.deleteGroup")).toList(),
                "nothing changed (the sweep of links marked for deletion finds none)");
        assertWhole();
    }

    @Test
    void aDeletedBridgeIsMadeAgainWithItsGatewayAndItsPortPutBack() {
        behindItsBack(host -> host.links().delete(LinkRef.name(new IfName("pb-n"))));
        assertTrue(kernel().link(c1.hostIf().value()).orElseThrow().masterIndex() == null);
        Networks.Status s = status();
        assertEquals("degraded", s.health());
        assertTrue(s.missing().stream().anyMatch(w -> w.contains("\"pb-n\"")), s.missing().toString());
        assertTrue(kernel().link("pb-n").isEmpty(), "ls changes nothing");
        Recovery.Report r = h.recovery().run(h.host);
        assertEquals(List.of(), r.errors());
        assertFalse(r.repaired().isEmpty());
        assertWhole();
    }

    @Test
    void aBridgeSetDownWithItsGatewayGoneIsRepairedByTheDaemonsLook() {
        behindItsBack(host -> {
            host.links().setUp(LinkRef.name(new IfName("pb-n")), false);
            host.addresses().delete(LinkRef.name(new IfName("pb-n")), IpPrefix.parse("10.9.0.1/24"));
        });
        List<String> done = h.recovery().watch(h.host, Set.of(), Set.of("pb-n"));
        assertFalse(done.isEmpty());
        assertWhole();
        assertEquals(List.of(), h.recovery().watch(h.host, Set.of(), Set.of()), "nothing more to do");
    }

    @Test
    void forwardingTurnedOffIsTurnedOnAgain() {
        kernel().putSysctl("net.ipv4.ip_forward", "0");
        assertEquals("degraded", status().health());
        h.recovery().run(h.host);
        assertWhole();
    }

    @Test
    void aDeletedVethIsPluggedInAgainWithItsRecordedAddress() {
        behindItsBack(host -> host.links().delete(LinkRef.name(c1.hostIf())));
        FakeNetworkStack.Netns ctr = container(c1);
        assertTrue(ctr.link("eth0").isEmpty(), "its peer went with it");
        List<String> done = h.recovery().watch(h.host, Set.of(c1.hostIf().value()), Set.of());
        assertFalse(done.isEmpty());
        assertWhole();
        assertEquals(List.of(c1), h.attachments().list("n"), "the same record: address, interface, ports");
        assertEquals(1, h.ipam.held.size(), "its address stayed reserved, no second one");
    }

    @Test
    void anAddressLostInsideTheContainerIsPutBackByGcsDeepCheck() {
        FakeNetworkStack.Netns ctr = container(c1);
        try (NetnsHandle in = h.stack.open(ctr.ref())) {
            in.addresses().delete(LinkRef.name(new IfName("eth0")), c1.addresses().get(0));
        }
        assertEquals(List.of(), h.recovery().watch(h.host, Set.of(), Set.of()), "the host side is whole: the daemon does not look inside");
        Recovery.Report r = h.recovery().run(h.host);
        assertEquals(List.of(), r.errors());
        assertTrue(r.repaired().stream().anyMatch(w -> w.contains("c1")), r.repaired().toString());
        assertWhole();
    }

    @Test
    void rulesTheBackendLostAreAppliedAgain() {
        h.fw.held.clear();
        Recovery.Report r = h.recovery().run(h.host);
        assertEquals(List.of(), r.errors());
        assertWhole();
        assertEquals(List.of("18080:80/tcp"), h.fw.held.get(RulesetOwner.of("att:n/c1")).rules().stream()
                .map(x -> ((dev.patchbay.core.firewall.Rule.PortForward) x).mapping().toString()).toList());
    }

    /** One gc converges: a container plugged in again gets its published ports back too when the backend lost them. */
    @Test
    void aDeletedVethWhoseRulesWereLostTooGetsBothBackInOneGc() {
        behindItsBack(host -> host.links().delete(LinkRef.name(c1.hostIf())));
        h.fw.held.remove(RulesetOwner.of("att:n/c1"));
        Recovery.Report r = h.recovery().run(h.host);
        assertEquals(List.of(), r.errors());
        assertWhole();
    }

    @Test
    void aContainerWhoseNamespaceIsGoneIsDetachedAndItsAddressFreed() throws Exception {
        Files.delete(Path.of(c1.netnsPath()));
        Recovery.Report r = h.recovery().run(h.host);
        assertEquals(List.of("n/c1"), r.detached());
        assertEquals(List.of(), h.attachments().list("n"));
        assertTrue(h.ipam.held.isEmpty());
        assertTrue(kernel().link(c1.hostIf().value()).isEmpty());
        assertEquals(Set.of(RulesetOwner.of("net:n")), h.fw.owners(h.host));
        assertTrue(link("pb-n").up(), "the network stays");
    }

    @Test
    void whatNoRecordNamesIsLeftAlone() {
        behindItsBack(host -> {
            host.links().add(new LinkSpec.Bridge(new IfName("docker0"), null, null));
            host.addresses().add(LinkRef.name(new IfName("docker0")), IpPrefix.parse("172.17.0.1/16"));
            host.links().add(LinkSpec.Other.of("foreign0", "dummy"));
            host.links().setMaster(LinkRef.name(new IfName("foreign0")), LinkRef.name(new IfName("pb-n")));
            host.links().delete(LinkRef.name(new IfName("pb-n"))); // and something to repair
        });
        h.fw.apply(h.host, new dev.patchbay.core.firewall.Ruleset(RulesetOwner.of("other:x"), List.of()));
        String docker = kernel().link("docker0").orElseThrow().toString();
        h.recovery().run(h.host);
        assertWhole();
        assertEquals(docker, kernel().link("docker0").orElseThrow().toString());
        assertEquals(List.of(IpPrefix.parse("172.17.0.1/16")), kernel().addresses("docker0"));
        Link foreign = link("foreign0");
        assertEquals(null, foreign.masterIndex(), "a link no record names is not put on the bridge");
        assertTrue(h.fw.held.containsKey(RulesetOwner.of("other:x")), "rules of an owner not Patchbay's network stay");
    }

    @Test
    void aLinkDeletedByADetachIsNotPluggedInAgain() {
        h.attachments().detach(h.host, "n", "c1");
        assertEquals(List.of(), h.recovery().watch(h.host, Set.of(c1.hostIf().value()), Set.of()));
        assertTrue(kernel().link(c1.hostIf().value()).isEmpty());
        assertTrue(h.attachments().list("n").isEmpty());
    }

    /** The driver's bundle stopped: gc detaches only what the records allow (a container gone), makes nothing, says why. */
    @Test
    void withItsDriverMissingGcDetachesGoneContainersOnlyAndLsSaysUnknown() throws Exception {
        Attachment c2 = h.attach("n", "c2");
        h.m.removePlugin(h.driver, ChainRollbackTest.ref("bridge", "dev.patchbay.test.bridge", 10, 0));
        assertEquals("unknown", status().health());
        Files.delete(Path.of(c2.netnsPath()));
        behindItsBack(host -> host.links().setUp(LinkRef.name(new IfName("pb-n")), false));
        Recovery.Report r = h.recovery().run(h.host);
        assertEquals(List.of(), r.errors(), r.toString());
        assertEquals(List.of("n/c2"), r.detached());
        assertTrue(r.repaired().stream().anyMatch(w -> w.contains("not checked further") && w.contains("\"bridge\"")), r.repaired().toString());
        assertEquals(List.of(c1), h.attachments().list("n"), "the live one stays");
        assertFalse(link("pb-n").up(), "nothing is made again without the driver");
        assertFalse(h.ipam.held.containsKey("n/c2/eth0"), "the gone one's address is freed");
    }
}
