package dev.patchbay.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.orchestrator.network.FakeHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * {@code doctor NETWORK --id C} ({@link Walk}) over the fake kernel: which checks pass for a whole attachment, and which
 * one fails (and which are skipped) for each thing broken. Asserted on the checks' names and statuses, not their words.
 */
class WalkTest extends dev.patchbay.orchestrator.network.OneContainer {
    @Override
    protected String[] ports() {
        return new String[] {"8080:80/tcp"};
    }

    /** Check name to status, in the walk's order. */
    private Map<String, String> walk(String containerId) {
        List<DoctorCommand.Check> checks = new ArrayList<>();
        new Walk(h.manager(), h.firewall(), List.of(h.backend()), h.state(), h.host()).run("n", FakeHost.container(containerId), checks);
        Map<String, String> out = new LinkedHashMap<>();
        checks.forEach(c -> out.put(c.check(), c.status()));
        return out;
    }

    private static Map<String, String> whole() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String c : List.of("namespace", "interface", "addresses", "bridge", "host side", "route to gateway", "default route",
                "gateway answers", "forwarding", "published 8080:80/tcp")) {
            m.put(c, "ok");
        }
        return m;
    }

    private static Map<String, String> whole(String... changed) {
        Map<String, String> m = whole();
        for (int i = 0; i < changed.length; i += 2) {
            m.put(changed[i], changed[i + 1]);
        }
        return m;
    }

    private void inHost(Consumer<NetnsHandle> change) {
        try (NetnsHandle host = h.stack().open(h.host())) {
            change.accept(host);
        }
    }

    private void inContainer(Consumer<NetnsHandle> change) {
        try (NetnsHandle ctr = h.stack().open(NetnsRef.path(Path.of(c1.netnsPath())))) {
            change.accept(ctr);
        }
    }

    @Test
    void aWholeAttachmentPassesEveryCheck() {
        assertEquals(whole(), walk("c1"));
    }

    @Test
    void aDeletedBridgeFailsTheBridgeAndSkipsThePing() {
        inHost(host -> host.links().delete(LinkRef.name(new IfName("pb-n"))));
        Map<String, String> w = walk("c1");
        assertEquals("fail", w.get("bridge"));
        assertEquals("skip", w.get("gateway answers"));
        assertEquals("ok", w.get("interface"), "the container's side is whole");
    }

    @Test
    void aBridgeWithoutItsGatewayFails() {
        inHost(host -> host.addresses().delete(LinkRef.name(new IfName("pb-n")), dev.patchbay.core.model.IpPrefix.parse("10.9.0.1/24")));
        assertEquals(whole("bridge", "fail", "gateway answers", "skip"), walk("c1"));
    }

    @Test
    void aHostSideOffTheBridgeFails() {
        inHost(host -> host.links().setMaster(LinkRef.name(c1.hostIf()), null));
        assertEquals(whole("host side", "fail", "gateway answers", "skip"), walk("c1"));
    }

    @Test
    void anAddressGoneInsideFailsTheAddressesAndSkipsTheRoutes() {
        inContainer(ctr -> ctr.addresses().delete(LinkRef.name(new IfName("eth0")), c1.addresses().get(0)));
        Map<String, String> w = walk("c1");
        assertEquals("fail", w.get("addresses"));
        assertEquals("skip", w.get("gateway answers"));
        assertEquals(null, w.get("route to gateway"), "not looked at");
    }

    @Test
    void anInterfaceDownFails() {
        inContainer(ctr -> ctr.links().setUp(LinkRef.name(new IfName("eth0")), false));
        Map<String, String> w = walk("c1");
        assertEquals("fail", w.get("interface"));
        assertEquals("skip", w.get("gateway answers"));
    }

    @Test
    void noDefaultRouteIsAWarningOnly() {
        inContainer(ctr -> ctr.routes().list(null, null).stream().filter(dev.patchbay.core.model.Route::isDefault)
                .forEach(r -> ctr.routes().delete(r)));
        assertEquals(whole("default route", "warn"), walk("c1"));
    }

    @Test
    void aGatewayThatDoesNotAnswerFails() {
        h.gatewayAnswers = false;
        assertEquals(whole("gateway answers", "fail"), walk("c1"));
    }

    @Test
    void forwardingOffFails() {
        h.kernel(h.host()).putSysctl("net.ipv4.ip_forward", "0");
        assertEquals(whole("forwarding", "fail"), walk("c1"));
    }

    @Test
    void aPublishedPortsRuleMissingFromTheKernelFails() {
        h.backend().held.remove(RulesetOwner.of("att:n/c1"));
        assertEquals(whole("published 8080:80/tcp", "fail"), walk("c1"));
    }

    @Test
    void aGoneNamespaceFailsAndStopsTheWalk() throws Exception {
        Files.delete(Path.of(c1.netnsPath()));
        assertEquals(Map.of("namespace", "fail"), walk("c1"));
    }

    @Test
    void aContainerNotAttachedFailsAndStopsTheWalk() {
        assertEquals(Map.of("attachment", "fail"), walk("c9"));
    }
}
