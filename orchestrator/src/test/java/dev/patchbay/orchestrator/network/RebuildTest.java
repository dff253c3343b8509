package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkPlugin;
import dev.patchbay.testing.FakeNetworkStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A network rebuilt by gc: from its records in a host that lost all of it, and its record rebuilt from the kernel and the other records when it cannot be read ({@link Rebuild}, gc --repair).
 */
class RebuildTest extends OneContainer {
    @Override
    protected String[] ports() {
        return new String[] {"18081:80/tcp"};
    }

    /**
     * The host namespace lost everything of the network (links deleted, forwarding off, the firewall flushed): gc makes
     * it all again from the records. (A namespace made again under its name, {@link Placement#adopt}, is not played here:
     * the firewall record is keyed by the namespace file's inode, which the fake kernel does not change.)
     */
    @Test
    void aHostThatLostEverythingGetsItsNetworkBackFromTheRecords() throws Exception {
        Attachment c2 = h.attach("n", "c2");
        Files.delete(Path.of(c2.netnsPath())); // c2 is gone for good
        try (var host = h.stack.open(h.host)) {
            for (Link l : host.links().list()) {
                if (!l.name().value().equals("lo")) {
                    host.links().delete(dev.patchbay.core.model.LinkRef.index(l.index()));
                }
            }
        }
        kernel().putSysctl("net.ipv4.ip_forward", "0");
        h.fw.held.clear();
        assertTrue(container(c1).link("eth0").isEmpty(), "c1's end went with its peer");
        assertEquals("degraded", h.networks().status(h.host).get(0).health());

        Recovery.Report r = h.recovery().run(h.host);
        assertEquals(List.of(), r.errors(), r.toString());
        assertEquals(List.of("n/c2"), r.detached());
        Link br = kernel().link("pb-n").orElseThrow();
        assertTrue(br.up());
        assertEquals(List.of(IpPrefix.parse("10.9.0.1/24")), kernel().addresses("pb-n"));
        assertEquals("1", kernel().sysctl("net.ipv4.ip_forward").orElseThrow());
        Link port = kernel().link(c1.hostIf().value()).orElseThrow();
        assertEquals(Integer.valueOf(br.index()), port.masterIndex());
        assertEquals(c1.addresses(), container(c1).addresses("eth0"), "c1 plugged in again with its address");
        assertEquals(List.of(c1), h.attachments().list("n"));
        assertEquals(Set.of(RulesetOwner.of("net:n"), RulesetOwner.of("att:n/c1")), h.fw.owners(h.host));
        assertEquals(List.of(c1.addresses().get(0).address()), List.copyOf(h.ipam.held.values()), "c2's address freed");
        assertEquals("ok", h.networks().status(h.host).get(0).health());
    }

    /** The bridge driver's default chain, which a rebuilt record names: installed as plugins that do nothing here. */
    private void installFirewallAndPortmap() {
        h.driver.defaultChain = List.of("firewall", "portmap");
        for (String type : List.of("firewall", "portmap")) {
            h.m.addPlugin(new NetworkPlugin() {
                @Override public void validate(dev.patchbay.core.network.NetworkContext ctx, List<NetworkConfig> others) { }
            }, ChainRollbackTest.ref(type, "dev.patchbay.test." + type, 20, 0));
        }
    }

    @Test
    void aDamagedRecordIsReportedThenRebuiltFromTheKernelAndTheAttachments() throws Exception {
        installFirewallAndPortmap();
        Path file = h.state.resolve("networks/n.json");
        Files.writeString(file, "{\"config\":");
        Recovery.Report r = h.recovery().run(h.host);
        assertEquals(1, r.damaged().size(), r.toString());
        assertTrue(r.damaged().get(0).contains("networks/n.json"), r.damaged().get(0));
        assertEquals("{\"config\":", Files.readString(file), "without --repair nothing is rewritten");
        assertEquals(List.of(c1), h.attachments().list("n"), "nor detached");

        r = h.recovery().run(h.host, true);
        assertEquals(List.of(), r.errors(), r.toString());
        NetworkConfig config = h.networks().inspect(h.host, "n").config();
        assertEquals("bridge", config.driver());
        assertEquals("pb-n", config.options().get("bridge"), "from the bridge its attachments' links are ports of");
        assertEquals(IpPrefix.parse("10.9.0.0/24"), config.subnet(), "from its attachments' addresses");
        assertEquals(IpAddresses.parse("gw", "10.9.0.1"), config.gateway(), "from the bridge's address");
        assertEquals(List.of("firewall", "portmap"), config.plugins());
        try (var kept = Files.list(file.getParent())) {
            assertEquals(1, kept.filter(p -> p.getFileName().toString().startsWith("n.json.damaged")).count(), "the damaged one is kept");
        }
        assertEquals(List.of(c1), h.attachments().list("n"));
        assertTrue(kernel().link(c1.hostIf().value()).isPresent(), "nothing was torn down");
    }

    @Test
    void aDamagedRecordWithNothingLeftToTellItsBridgeIsNotRebuiltAndKept() throws Exception {
        installFirewallAndPortmap();
        h.attachments().detach(h.host, "n", "c1");
        try (var host = h.stack.open(h.host)) {
            host.links().delete(dev.patchbay.core.model.LinkRef.name(new dev.patchbay.core.model.IfName("pb-n")));
        }
        Path file = h.state.resolve("networks/n.json");
        Files.writeString(file, "{\"config\":");
        Recovery.Report r = h.recovery().run(h.host, true);
        assertEquals(1, r.errors().size(), r.toString());
        assertTrue(r.errors().get(0).contains("cannot rebuild network \"n\""), r.errors().get(0));
        assertEquals("{\"config\":", Files.readString(file), "kept as it was");
        assertFalse(kernel().link("pb-n").isPresent());
    }

    /** No attachment and no rule tells the subnet: the gateway address on the bridge does (read before the subnet is needed). */
    @Test
    void aDamagedRecordOfANetworkWithoutContainersOrRulesGetsItsSubnetFromTheBridgesAddress() throws Exception {
        h.attachments().detach(h.host, "n", "c1");
        h.firewall().host(h.state, h.host).remove(Owners.network("n"));
        Path file = h.state.resolve("networks/n.json");
        Files.writeString(file, "{\"config\":");
        Recovery.Report r = h.recovery().run(h.host, true);
        assertEquals(List.of(), r.errors(), r.toString());
        NetworkConfig config = h.networks().inspect(h.host, "n").config();
        assertEquals(IpPrefix.parse("10.9.0.0/24"), config.subnet(), "from the bridge's address");
        assertEquals(IpAddresses.parse("gw", "10.9.0.1"), config.gateway());
    }
}
