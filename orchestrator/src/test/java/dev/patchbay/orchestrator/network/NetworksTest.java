package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.state.AddressPools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link Networks} over the fake host: a create is checked whole (name, subnets against the other networks and against
 * what the host uses) before anything changes, and one that fails halfway is undone; rm refuses while containers are
 * attached, rm --force detaches them and leaves nothing of the network; a network whose host namespace is gone is
 * refused for use and forgotten from anywhere.
 */
class NetworksTest extends OneContainer {

    private NetworkConfig config(String name, String subnet) {
        IpPrefix p = IpPrefix.parse(subnet);
        h.ipam.prefixes.put(name, subnet.substring(0, subnet.lastIndexOf('.') + 1));
        return new NetworkConfig(name, "bridge", null, p, NetworkConfig.firstHost(p), null, null, Map.of());
    }

    /** What a create could change: the kernel, the rules, the records, the journal. */
    private String everything() {
        return h.stack.calls() + "|" + h.fw.held.keySet() + "|" + h.networks().list() + "|" + Journal.pending(h.state) + "|"
                + (Files.exists(h.state.resolve("journal")) ? List.of(h.state.resolve("journal").toFile().list()) : "");
    }

    @Test
    void aCreateIsRefusedBeforeAnyChangeNamingTheFieldAndWhatItCollidesWith() {
        try (NetnsHandle host = h.stack.open(h.host)) { // the host's own uplink and a connected route of another link
            host.links().add(LinkSpec.Other.of("uplink", "dummy"));
            host.links().setUp(LinkRef.name("uplink"), true);
            host.addresses().add(LinkRef.name("uplink"), IpPrefix.parse("192.168.5.10/24"));
            host.routes().add(Route.onLink(IpPrefix.parse("172.20.0.0/16"), new IfName("uplink")));
        }
        String before = everything();

        AlreadyExistsException taken = assertThrows(AlreadyExistsException.class, () -> h.networks().create(h.host, config("n", "10.7.0.0/24"), true));
        assertTrue(taken.getMessage().startsWith("network \"n\" already exists (in "), taken.getMessage());
        InvalidInputException overlap = assertThrows(InvalidInputException.class, () -> h.networks().create(h.host, config("m", "10.9.0.128/25"), true));
        assertEquals("subnet", overlap.field());
        assertTrue(overlap.getMessage().contains("overlaps 10.9.0.0/24 of network \"n\""), overlap.getMessage());
        InvalidInputException uplink = assertThrows(InvalidInputException.class, () -> h.networks().create(h.host, config("m", "192.168.5.0/24"), true));
        assertEquals("subnet", uplink.field());
        assertTrue(uplink.getMessage().contains("address 192.168.5.10/24 of uplink"), uplink.getMessage());
        InvalidInputException route = assertThrows(InvalidInputException.class, () -> h.networks().create(h.host, config("m", "172.20.3.0/24"), true));
        assertTrue(route.getMessage().contains("the route to 172.20.0.0/16 on uplink"), route.getMessage());
        assertEquals(before, everything(), "nothing changed by any of them");

        h.networks().create(h.host, config("m", "10.8.0.0/24"), true); // and a subnet nobody uses is fine
        assertTrue(kernel().link("pb-m").isPresent());
    }

    /** A network without --subnet: its config carries the pools' first subnet until the lock is held. */
    private NetworkConfig pooled(String name, AddressPools pools) {
        IpPrefix p = pools.next(dev.patchbay.core.model.Family.INET, List.of()).orElseThrow();
        return new NetworkConfig(name, "bridge", null, p, NetworkConfig.firstHost(p), null, null, Map.of());
    }

    @Test
    void aNetworkWithoutSubnetTakesTheNextFreeOneOfThePoolsSkippingTheHostsAndOtherNetworks() {
        AddressPools pools = AddressPools.parse("base=10.9.0.0/22,size=24"); // n (10.9.0.0/24) holds the first
        try (NetnsHandle host = h.stack.open(h.host)) { // the host routes 10.9.1.0/25 on its uplink
            host.links().add(LinkSpec.Other.of("uplink", "dummy"));
            host.links().setUp(LinkRef.name("uplink"), true);
            host.routes().add(Route.onLink(IpPrefix.parse("10.9.1.0/25"), new IfName("uplink")));
        }
        NetworkConfig a = h.networks().create(h.host, pooled("a", pools), true, pools, Map.of());
        assertEquals("10.9.2.0/24", a.subnet().toString());
        assertEquals("10.9.2.1", dev.patchbay.core.model.IpAddresses.format(a.gateway()));
        assertEquals(a, h.networks().find("a").orElseThrow(), "recorded with it");
        NetworkConfig b = h.networks().create(h.host, pooled("b", pools), true, pools, Map.of());
        assertEquals("10.9.3.0/24", b.subnet().toString(), "never the same twice");
        String before = everything();
        InvalidInputException full = assertThrows(InvalidInputException.class, () -> h.networks().create(h.host, pooled("c", pools), true, pools, Map.of()));
        assertEquals("subnet", full.field());
        assertTrue(full.getMessage().contains("every subnet of the default address pools (base=10.9.0.0/22,size=24) is taken"), full.getMessage());
        assertEquals(before, everything(), "nothing changed");
        h.networks().remove(h.host, "a", false);
        assertEquals("10.9.2.0/24", h.networks().create(h.host, pooled("c", pools), true, pools, Map.of()).subnet().toString(), "a removed network's subnet is free again");
    }

    @Test
    void labelsAreRecordedShownAndFilteredAndARecordOfAnEarlierReleaseHasNone() throws Exception {
        h.networks().create(h.host, config("l", "10.8.0.0/24"), true, null, Map.of("team", "web", "tier", "front"));
        assertEquals(Map.of("team", "web", "tier", "front"), h.networks().inspect(h.host, "l").labels());
        Path file = h.state.resolve("networks").resolve("n.json"); // as an earlier release wrote it: no labels member
        com.google.gson.JsonObject rec = com.google.gson.JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        rec.remove("labels");
        Files.writeString(file, rec.toString());
        assertEquals(Map.of(), h.networks().inspect(h.host, "n").labels());
        List<String> web = h.networks().status(h.host).stream().filter(x -> Labels.match(x.labels(), List.of("label=team=web"))).map(Networks.Status::name).toList();
        assertEquals(List.of("l"), web);
        assertTrue(Labels.match(Map.of("team", "web"), List.of("label=team")));
        assertFalse(Labels.match(Map.of("team", "web"), List.of("label=team", "label=tier")), "every filter must match");
        assertFalse(Labels.match(Map.of("team", "web"), List.of("label=team=db")));
        assertTrue(Labels.match(Map.of("k", "a=b"), List.of("label=k=a=b")), "a value may hold '='");
        InvalidInputException filter = assertThrows(InvalidInputException.class, () -> Labels.match(Map.of(), List.of("name=l")));
        assertEquals("filter", filter.field());
        String before = everything();
        InvalidInputException bad = assertThrows(InvalidInputException.class,
                () -> h.networks().create(h.host, config("m", "10.10.0.0/24"), true, null, Map.of("bad key", "x")));
        assertEquals("label", bad.field());
        assertEquals("bad key=x", bad.value());
        assertEquals(before, everything(), "refused before any change");
    }

    @Test
    void aNetworkWhoseBridgeIsGoneSaysSoWhenItsNameIsTakenAgain() {
        try (NetnsHandle host = h.stack.open(h.host)) {
            host.links().delete(LinkRef.name("pb-n"));
        }
        AlreadyExistsException e = assertThrows(AlreadyExistsException.class, () -> h.networks().create(h.host, config("n", "10.7.0.0/24"), true));
        assertTrue(e.getMessage().contains("the kernel lacks") && e.getMessage().contains("run patchbay gc"), e.getMessage());
    }

    @Test
    void aCreateThatFailsInTheDriverLeavesNothing() {
        String before = kernel().toString();
        h.stack.failOn("sysctl.ensure", 1, new BackendException("no forwarding here"));
        PatchbayException e = assertThrows(PatchbayException.class, () -> h.networks().create(h.host, config("m", "10.8.0.0/24"), true));
        assertEquals("no forwarding here", e.getMessage());
        assertEquals(before, kernel().toString(), "its bridge, made before the failure, is gone");
        assertTrue(h.networks().find("m").isEmpty());
        assertFalse(Files.exists(h.state.resolve("journal/m.log")), "no entry left: nothing in flight");
    }

    @Test
    void aCreateWhoseRulesAreRefusedTakesItsBridgeDownAgain() {
        String before = kernel().toString();
        h.fw.refuseNext = new BackendException("the backend refused the ruleset");
        assertThrows(BackendException.class, () -> h.networks().create(h.host, config("m", "10.8.0.0/24"), true));
        assertEquals(before, kernel().toString());
        assertFalse(h.fw.held.containsKey(RulesetOwner.of("net:m")));
        assertTrue(h.networks().find("m").isEmpty());
        assertEquals(List.of(), Journal.pending(h.state));
        h.networks().create(h.host, config("m", "10.8.0.0/24"), true); // made once the backend takes it
        assertTrue(h.fw.held.containsKey(RulesetOwner.of("net:m")));
    }

    /**
     * The record is a create's commit point, as an attach's: once it is saved the network exists, and a journal that
     * then refuses to forget the entry (a full disk; here the log made a directory) neither fails the create nor tears
     * down what the record says exists. gc forgets an entry whose network is recorded.
     */
    @Test
    void aCreateWhoseRecordIsSavedStandsEvenIfItsJournalEntryCannotBeForgotten() throws Exception {
        Path log = h.state.resolve("journal/m.log");
        NetworkPlugin jam = jam(log, "setUpNetwork");
        h.m.addPlugin(jam, ChainRollbackTest.ref("jam", "dev.patchbay.test.jam", 20, 0));
        NetworkConfig asked = config("m", "10.8.0.0/24");
        h.networks().create(h.host, new NetworkConfig("m", "bridge", List.of("jam"), asked.subnet(), asked.gateway(), null, null, Map.of()), false);
        assertTrue(h.networks().find("m").isPresent());
        assertTrue(kernel().link("pb-m").isPresent(), "what the record says exists is there");
        assertTrue(h.fw.held.containsKey(RulesetOwner.of("net:m")));
        Files.delete(log);
    }

    /** A chained plugin that, at {@code step} (setUpNetwork, tearDown), makes the journal log a directory: the journal refuses writes. */
    static NetworkPlugin jam(Path log, String step) {
        Runnable jam = () -> {
            try {
                Files.delete(log);
                Files.createDirectory(log);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        return new NetworkPlugin() {
            @Override public void validate(NetworkContext ctx, List<NetworkConfig> others) { }
            @Override public void tearDownNetwork(NetworkContext ctx, ErrorCollector errors) { }
            @Override public Attachment setUp(NetworkContext ctx, AttachRequest r, Attachment previous) { return previous; }

            @Override
            public void setUpNetwork(NetworkContext ctx) {
                if (step.equals("setUpNetwork")) {
                    jam.run();
                }
            }

            @Override
            public void tearDown(NetworkContext ctx, Attachment a, ErrorCollector errors) {
                if (step.equals("tearDown")) {
                    jam.run();
                }
            }
        };
    }

    @Test
    void rmRefusesWhileContainersAreAttachedNamingThem() {
        h.attach("n", "c2");
        String before = everything();
        PatchbayException e = assertThrows(PatchbayException.class, () -> h.networks().remove(h.host, "n", false));
        assertEquals("network \"n\" has 2 attachment(s) (c1, c2); detach them first or use --force", e.getMessage());
        assertEquals(before, everything());
        assertEquals(2, h.attachments().list("n").size());
    }

    @Test
    void rmForceDetachesEveryContainerAndLeavesNothingOfTheNetwork() {
        h.create("m", "10.8.0.0/24");
        Attachment onM = h.attach("m", "c9");
        h.attach("n", "c2");
        h.networks().remove(h.host, "n", true);
        assertTrue(h.networks().find("n").isEmpty());
        assertTrue(kernel().link("pb-n").isEmpty());
        assertTrue(kernel().link(c1.hostIf().value()).isEmpty());
        assertTrue(container(c1).link("eth0").isEmpty(), "the container's end went with the pair");
        assertEquals(List.of("m/c9/eth0"), List.copyOf(h.ipam.held.keySet()), "n's addresses released, m's kept");
        assertEquals(List.of(RulesetOwner.of("net:m")), List.copyOf(h.fw.held.keySet()));
        for (String file : List.of("networks/n.json", "attachments/n.log", "journal/n.log", "locks/n.lock")) {
            assertFalse(Files.exists(h.state.resolve(file)), file);
        }
        assertEquals(List.of(onM), h.attachments().list(null), "the other network is untouched");
        assertThrows(NotFoundException.class, () -> h.networks().remove(h.host, "n", true), "a second rm: no such network");
        assertThrows(InvalidInputException.class, () -> h.networks().remove(h.host, "../n", true));
    }

    /**
     * rm --force whose detach of one container fails: an error naming it, the network's record kept with the removal's
     * journal entry, and gc finishes the removal (before, the record went anyway and the container's link stayed for good).
     */
    @Test
    void aForcedRemovalThatCannotDetachAContainerIsFinishedByGc() {
        Attachment c2 = h.attach("n", "c2");
        h.stack.failOn("links.delete", 1, new BackendException("the kernel is busy"));
        PatchbayException e = assertThrows(PatchbayException.class, () -> h.networks().remove(h.host, "n", true));
        assertTrue(e.getMessage().startsWith("failed to remove network \"n\"") && e.getMessage().contains("detach \"c1\"")
                && e.getMessage().endsWith("patchbay gc finishes the removal"), e.getMessage());
        assertTrue(h.networks().find("n").isPresent(), "kept while its container is left: without it gc could not finish");
        assertTrue(kernel().link(c1.hostIf().value()).isPresent(), "the link that would not go");
        Recovery.Report r = h.recovery().run(h.host);
        assertEquals(List.of(), r.errors(), r.toString());
        assertTrue(h.networks().find("n").isEmpty());
        assertTrue(h.attachments().list(null).isEmpty(), "no attachment left recorded");
        assertTrue(kernel().link(c1.hostIf().value()).isEmpty() && kernel().link(c2.hostIf().value()).isEmpty(), "no link left");
        assertTrue(kernel().link("pb-n").isEmpty());
        assertTrue(h.ipam.held.isEmpty(), "no address left reserved");
        assertEquals(List.of(), List.copyOf(h.fw.held.keySet()));
        assertEquals(List.of(), Journal.pending(h.state));
    }

    @Test
    void aNetworkWhoseHostNamespaceIsGoneIsForgottenFromAnywhereChangingNoKernel() throws Exception {
        Files.delete(h.host.path());
        NetnsRef elsewhere = h.namespace("elsewhere");
        Networks.Status s = h.networks().status(elsewhere).get(0);
        assertEquals(Reconcile.Health.DEGRADED, s.health());
        assertTrue(s.missing().get(0).startsWith("its host namespace"), s.missing().toString());
        PatchbayException use = assertThrows(PatchbayException.class, () -> h.attachments().attach(elsewhere,
                new AttachRequest("n", "c2", h.namespace("c2"), null, List.of(), null, List.of())));
        assertTrue(use.getMessage().contains("is gone") && use.getMessage().contains("network rm --force n"), use.getMessage());

        h.stack.clearCalls();
        h.networks().remove(elsewhere, "n", true);
        assertEquals(List.of(), h.stack.calls(), "no kernel is asked to change anything");
        assertTrue(h.networks().find("n").isEmpty());
        assertTrue(h.attachments().list(null).isEmpty());
        assertTrue(h.ipam.held.isEmpty(), "its addresses freed: no interface of a recorded namespace holds them");
    }

    @Test
    void inspectShowsTheNetworkItsAttachmentsAndItsHealth() {
        Networks.Details d = h.networks().inspect(h.host, "n");
        assertEquals(Reconcile.Health.OK, d.health());
        assertEquals(List.of(c1), d.attachments());
        assertEquals(List.of("n"), h.networks().list().stream().map(NetworkConfig::name).toList());
        assertThrows(NotFoundException.class, () -> h.networks().inspect(h.host, "nope"));
        assertTrue(h.networks().find("nope").isEmpty());
    }
}
