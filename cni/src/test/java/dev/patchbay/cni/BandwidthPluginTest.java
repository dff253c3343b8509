package dev.patchbay.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.Qdisc;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.host.cni.CniInvocation;
import dev.patchbay.orchestrator.network.FakeHost;
import dev.patchbay.testing.FakeNetworkStack;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chained type bandwidth through the CNI service over the fake stack: what it sets, checks, deletes and rolls back. */
class BandwidthPluginTest {
    @TempDir
    Path dir;
    FakeHost host;
    CniService service;
    NetnsRef c1;
    String ifb;

    @BeforeEach
    void setUp() {
        host = new FakeHost(dir);
        c1 = host.namespace("c1");
        try (NetnsHandle h = host.stack().open(NetnsRef.current())) {
            h.links().add(new LinkSpec.Veth(IfName.of("vh0"), IfName.of("eth0"), c1, null, null, null));
        }
        service = new CniService();
        service.manager = host.manager();
        service.firewall = host.firewall();
        ifb = Shaping.ifbName("bwnet", "k1");
    }

    static String conf(String keys) {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"bwnet\",\"type\":\"bandwidth\"" + keys
                + ",\"prevResult\":{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"vh0\"},{\"name\":\"eth0\",\"sandbox\":\"/x\"}]}}";
    }

    static final String BOTH = ",\"ingressRate\":8000000,\"ingressBurst\":262144,\"egressRate\":16000000,\"egressBurst\":262144";

    CniServiceTest.Out serve(String verb, String stdin) {
        Map<String, String> env = new HashMap<>(Map.of("CNI_COMMAND", verb, "CNI_CONTAINERID", "k1", "CNI_NETNS", c1.path().toString(),
                "CNI_IFNAME", "eth0", "CNI_PATH", "/nonexistent", "PATCHBAY_STATE_DIR", host.state().toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = service.serve(new CniInvocation("bandwidth", env, stdin.getBytes(StandardCharsets.UTF_8)), new PrintWriter(out),
                new PrintWriter(err), () -> false);
        JsonObject json = out.toString().isBlank() ? null : JsonParser.parseString(out.toString()).getAsJsonObject();
        return new CniServiceTest.Out(exit, out.toString(), err.toString(), json);
    }

    FakeNetworkStack.Netns kernel() {
        return host.kernel(NetnsRef.current());
    }

    boolean ifbThere() {
        return kernel().links().stream().anyMatch(l -> l.name().value().equals(ifb));
    }

    @Test
    void addShapesBothWaysCheckFindsItAndDelRemovesIt() {
        CniServiceTest.Out add = serve("ADD", conf(BOTH));
        assertEquals(0, add.exit(), add.out() + add.err());
        assertEquals(ifb, add.json().getAsJsonArray("interfaces").get(2).getAsJsonObject().get("name").getAsString(), add.out());
        assertEquals(1_000_000, kernel().qdisc("vh0").orElseThrow().tokenBucket().rate());
        assertEquals(new Qdisc.TokenBucket(2_000_000, 32_768, 32_768 + 50_000), kernel().qdisc(ifb).orElseThrow().tokenBucket());
        assertEquals(Optional.of(ifb), kernel().ingressRedirect("vh0"));
        assertEquals(0, serve("CHECK", conf(BOTH)).exit());

        try (NetnsHandle h = host.stack().open(NetnsRef.current())) {
            h.qdiscs().deleteRoot(LinkRef.name(ifb));
            h.qdiscs().deleteIngress(LinkRef.name("vh0"));
        }
        CniServiceTest.Out check = serve("CHECK", conf(BOTH));
        assertEquals(CniError.PATCHBAY + 1, check.json().get("code").getAsInt(), check.out());
        assertEquals("CHECK: " + ifb + " has no tbf qdisc; vh0's ingress is not redirected to " + ifb, check.json().get("msg").getAsString());
        CniServiceTest.Out other = serve("CHECK", conf(BOTH.replace("8000000", "9000000")));
        assertTrue(other.json().get("msg").getAsString().contains("vh0's tbf has a rate of 8000000 bits per second, not 9000000"), other.out());

        assertEquals(0, serve("DEL", conf(BOTH)).exit());
        assertTrue(!ifbThere() && kernel().qdisc("vh0").isEmpty() && kernel().ingressRedirect("vh0").isEmpty());
        assertEquals(0, serve("DEL", conf(BOTH)).exit(), "a second DEL finds nothing");
    }

    @Test
    void nothingSetPassesThePreviousResultOn() {
        CniServiceTest.Out add = serve("ADD", conf(""));
        assertEquals(0, add.exit(), add.out());
        assertEquals(2, add.json().getAsJsonArray("interfaces").size());
        assertTrue(kernel().qdisc("vh0").isEmpty() && !ifbThere());
    }

    @Test
    void aFailedAddLeavesNothing() {
        host.stack().failOn("qdiscs.redirectIngress", 1, new BackendException("injected"));
        CniServiceTest.Out add = serve("ADD", conf(BOTH));
        assertTrue(add.exit() != 0 && add.json().get("msg").getAsString().contains("injected"), add.out());
        assertTrue(!ifbThere() && kernel().qdisc("vh0").isEmpty() && kernel().ingressRedirect("vh0").isEmpty(), "rolled back");
    }

    @Test
    void badValuesAndUnservedKeys() {
        CniServiceTest.assertError(serve("ADD", conf(",\"ingressRate\":-1,\"ingressBurst\":8")), 7, "ingressRate: \"-1\" must be a whole number");
        CniServiceTest.assertError(serve("ADD", conf(",\"egressRate\":800")), 7, "egressBurst: is required with egressRate 800");
        CniServiceTest.assertError(serve("ADD", conf(BOTH + ",\"unshapedSubnets\":[\"10.0.0.0/8\"]")), 2, "unshapedSubnets: unshapedSubnets");
        assertTrue(kernel().qdisc("vh0").isEmpty() && !ifbThere());
        CniServiceTest.assertError(serve("ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"bwnet\",\"type\":\"bandwidth\"}"), 7, "prevResult: is required");
    }
}
