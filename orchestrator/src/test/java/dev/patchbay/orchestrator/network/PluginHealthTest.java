package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import dev.patchbay.core.spi.NetnsHandle;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A third party's driver gets what the bridge gets: its own check of what it made (CNI's CHECK) is what {@code network ls}
 * shows, and gc and the daemon repair through it. The driver here makes no link in the host: each container gets a dummy
 * link it owns, so nothing of the orchestrator's own look at host links can see it go.
 */
class PluginHealthTest {
    @TempDir
    Path dir;
    FakeHost h;
    final Inside driver = new Inside();

    /** {@code --driver inside}: a dummy link per container, checked and put back by the driver itself. */
    static final class Inside implements NetworkPlugin {
        int repairs;
        int setUps;
        boolean canRepair = true;

        @Override public void validate(NetworkContext ctx, List<NetworkConfig> others) { }

        @Override
        public Attachment setUp(NetworkContext ctx, AttachRequest request, Attachment previous) {
            setUps++;
            make(ctx, previous);
            return new Attachment(previous.network(), previous.containerId(), request.container().path().toString(), previous.ifName(),
                    null, previous.mac(), previous.addresses(), previous.ports());
        }

        @Override
        public void tearDown(NetworkContext ctx, Attachment a, ErrorCollector errors) {
            try (NetnsHandle ctr = ctx.stack().open(NetnsRef.path(Path.of(a.netnsPath())))) {
                ctr.links().find(LinkRef.name(a.ifName())).ifPresent(l -> ctr.links().delete(LinkRef.name(a.ifName())));
            }
        }

        @Override
        public List<String> check(NetworkContext ctx, Attachment a) {
            try (NetnsHandle ctr = ctx.stack().open(NetnsRef.path(Path.of(a.netnsPath())))) {
                return ctr.links().find(LinkRef.name(a.ifName())).isPresent() ? List.of() : List.of("dummy \"" + a.ifName() + "\"");
            }
        }

        @Override
        public boolean repair(NetworkContext ctx, Attachment a) {
            if (!canRepair) {
                return false;
            }
            repairs++;
            make(ctx, a);
            return true;
        }

        private static void make(NetworkContext ctx, Attachment a) {
            try (NetnsHandle ctr = ctx.stack().open(NetnsRef.path(Path.of(a.netnsPath())))) {
                ctr.links().add(new LinkSpec.Other(a.ifName(), "dummy", null, null, null, null, null));
                for (IpPrefix p : a.addresses()) {
                    ctr.addresses().add(LinkRef.name(a.ifName()), p);
                }
            }
        }
    }

    @BeforeEach
    void oneNetworkOneContainer() {
        h = new FakeHost(dir);
        h.m.addPlugin(driver, ChainRollbackTest.ref("inside", "dev.patchbay.test.inside", 11, 0));
        h.ipam.prefixes.put("in", "10.7.0.");
        h.networks().create(h.host, new NetworkConfig("in", "inside", List.of(), IpPrefix.parse("10.7.0.0/24"),
                IpAddresses.parse("gw", "10.7.0.1"), null, null, Map.of()), true);
        h.attach("in", "c1");
    }

    private Networks.Status status() {
        return h.networks().status(h.host).stream().filter(s -> s.name().equals("in")).findFirst().orElseThrow();
    }

    private void deleteItsLink() {
        try (NetnsHandle ctr = h.stack.open(NetnsRef.path(dir.resolve("c1")))) {
            ctr.links().delete(LinkRef.name(new IfName("eth0")));
        }
    }

    private boolean hasItsLink() {
        return h.kernel(NetnsRef.path(dir.resolve("c1"))).link("eth0").isPresent();
    }

    @Test
    void lsShowsWhatTheDriversCheckFindsAndGcRepairsItThroughTheDriver() {
        assertEquals("ok", status().health(), status().missing().toString());
        deleteItsLink();
        Networks.Status s = status();
        assertEquals("degraded", s.health());
        assertEquals(List.of("dummy \"eth0\" for \"c1\""), s.missing());
        assertTrue(!hasItsLink(), "ls changes nothing");
        Recovery.Report r = h.recovery().run(h.host);
        assertEquals(List.of(), r.errors(), r.toString());
        assertTrue(r.repaired().stream().anyMatch(w -> w.contains("repaired dummy \"eth0\" for \"c1\"")), r.repaired().toString());
        assertTrue(hasItsLink());
        assertEquals(1, driver.repairs);
        assertEquals(1, driver.setUps, "repaired, not plugged in again");
        assertEquals("ok", status().health(), status().missing().toString());
        assertEquals(List.of(IpPrefix.parse("10.7.0.2/24")), h.kernel(NetnsRef.path(dir.resolve("c1"))).addresses("eth0"));
    }

    @Test
    void aDriverThatCannotRepairGetsItsContainerPluggedInAgainWithItsRecord() {
        driver.canRepair = false;
        Attachment before = h.attachments().list("in").get(0);
        deleteItsLink();
        Recovery.Report r = h.recovery().run(h.host);
        assertEquals(List.of(), r.errors(), r.toString());
        assertTrue(r.repaired().stream().anyMatch(w -> w.contains("plugged \"c1\" in again")), r.repaired().toString());
        assertTrue(hasItsLink());
        assertEquals(2, driver.setUps);
        assertEquals(List.of(before), h.attachments().list("in"), "the same record: address, interface");
        assertEquals(1, h.ipam.held.size(), "no second address");
    }

    /** A driver that names a host interface and checks nothing itself: the contract's default check looks at that interface. */
    @Test
    void aDriversHostInterfaceIsCheckedByDefault() {
        NetworkPlugin plain = new NetworkPlugin() {
            @Override public IfName hostInterface(NetworkConfig config) { return new IfName("plain0"); }
            @Override public void validate(NetworkContext ctx, List<NetworkConfig> others) { }
            @Override public void setUpNetwork(NetworkContext ctx) {
                ctx.host().links().ensure(LinkSpec.Other.of("plain0", "dummy"));
                ctx.host().links().setUp(LinkRef.name(new IfName("plain0")), true);
            }
        };
        h.m.addPlugin(plain, ChainRollbackTest.ref("plain", "dev.patchbay.test.plain", 12, 0));
        h.ipam.prefixes.put("p", "10.8.0.");
        h.networks().create(h.host, new NetworkConfig("p", "plain", List.of(), IpPrefix.parse("10.8.0.0/24"),
                IpAddresses.parse("gw", "10.8.0.1"), null, null, Map.of()), true);
        try (NetnsHandle host = h.stack.open(h.host)) {
            host.links().setUp(LinkRef.name(new IfName("plain0")), false);
        }
        Networks.Status s = h.networks().status(h.host).stream().filter(x -> x.name().equals("p")).findFirst().orElseThrow();
        assertEquals(List.of("interface \"plain0\" up"), s.missing());
        assertEquals(List.of(), h.recovery().watch(h.host, Set.of(), Set.of()).stream().filter(w -> w.contains("error")).toList());
        assertTrue(h.kernel(h.host).link("plain0").orElseThrow().up(), "the daemon's look made it up again");
    }
}
