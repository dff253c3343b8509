package dev.patchbay.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Link;
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
import dev.patchbay.host.cni.CniInvocation;
import dev.patchbay.orchestrator.network.FakeHost;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CNI type served by an installed driver through {@link NetworkPlugin#cniOptions}, over the fake stack: a third
 * party's macvlan driver (the reference macvlan's keys: {@code master}, {@code mode}, {@code mtu}; host-local IPAM)
 * gets ADD, CHECK (through its own check) and DEL through the CNI service, with no line of the CNI module naming it.
 */
class CniDriverTest {
    @TempDir
    Path dir;
    FakeHost host;
    CniService service;
    NetnsRef c1;

    @BeforeEach
    void setUp() {
        host = new FakeHost(dir);
        host.install("macvlan", new Macvlan());
        host.install("servesnone", new Macvlan() {
            @Override
            public Map<String, String> cniOptions(Map<String, Object> conf) {
                return null;
            }
        });
        try (NetnsHandle h = host.stack().open(NetnsRef.current())) {
            h.links().add(LinkSpec.Other.of("up0", "dummy"));
        }
        c1 = host.namespace("c1");
        service = new CniService();
        service.manager = host.manager();
        service.firewall = host.firewall();
        service.ipam = new HostLocalMapping(host.ipam());
    }

    String conf(String more) {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"mvcni\",\"type\":\"macvlan\",\"master\":\"up0\"" + more
                + ",\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.134.0.0/24\",\"dataDir\":\"" + dir.resolve("ipam") + "\"}}";
    }

    CniServiceTest.Out serve(String verb, String id, NetnsRef netns, String stdin) {
        Map<String, String> env = new HashMap<>(Map.of("CNI_COMMAND", verb, "CNI_CONTAINERID", id, "CNI_NETNS", netns.path().toString(),
                "CNI_IFNAME", "eth0", "CNI_PATH", "/nonexistent", "PATCHBAY_STATE_DIR", host.state().toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = service.serve(new CniInvocation("macvlan", env, stdin.getBytes(StandardCharsets.UTF_8)), new PrintWriter(out),
                new PrintWriter(err), () -> false);
        JsonObject json = out.toString().isBlank() ? null : JsonParser.parseString(out.toString()).getAsJsonObject();
        return new CniServiceTest.Out(exit, out.toString(), err.toString(), json);
    }

    @Test
    void addGivesTheContainerTheDriversLinkWithAnAddressCheckAsksTheDriverAndDelRemovesIt() {
        CniServiceTest.Out add = serve("ADD", "k1", c1, conf(",\"mode\":\"private\",\"mtu\":1400"));
        assertEquals(0, add.exit(), add.out() + add.err());
        Link eth0 = host.kernel(c1).links().stream().filter(l -> l.name().value().equals("eth0")).findFirst().orElseThrow();
        assertEquals("macvlan", eth0.kind());
        assertEquals(1400, eth0.mtu());
        JsonObject iface = add.json().getAsJsonArray("interfaces").get(0).getAsJsonObject();
        assertEquals("eth0", iface.get("name").getAsString());
        assertEquals(c1.path().toString(), iface.get("sandbox").getAsString());
        assertEquals(eth0.mac().value(), iface.get("mac").getAsString());
        JsonObject ip = add.json().getAsJsonArray("ips").get(0).getAsJsonObject();
        assertEquals("10.134.0.2/24", ip.get("address").getAsString());
        assertEquals("10.134.0.1", ip.get("gateway").getAsString());
        assertEquals(0, ip.get("interface").getAsInt());
        assertEquals("{\"dst\":\"0.0.0.0/0\",\"gw\":\"10.134.0.1\"}", add.json().getAsJsonArray("routes").get(0).toString());
        NetworkConfig net = host.manager().networks(host.state()).find("mvcni").orElseThrow();
        assertEquals("macvlan", net.driver());
        assertEquals(Map.of("parent", "up0", "mode", "private", "mtu", "1400", "ipam.dir", dir.resolve("ipam").toString()), net.options());

        String withPrev = conf(",\"mode\":\"private\",\"mtu\":1400").replaceFirst("}$", ",\"prevResult\":" + add.out().strip() + "}");
        CniServiceTest.Out check = serve("CHECK", "k1", c1, withPrev);
        assertEquals(0, check.exit(), check.out() + check.err());
        try (NetnsHandle c = host.stack().open(c1)) {
            c.links().delete(LinkRef.name("eth0"));
        }
        CniServiceTest.Out broken = serve("CHECK", "k1", c1, withPrev);
        assertEquals(CniError.PATCHBAY + 1, broken.json().get("code").getAsInt(), broken.out());
        assertTrue(broken.json().get("msg").getAsString().contains("macvlan \"eth0\" in the container"), "the driver's own check: " + broken.out());

        CniServiceTest.Out del = serve("DEL", "k1", c1, conf(",\"mode\":\"private\",\"mtu\":1400"));
        assertEquals(0, del.exit(), del.out() + del.err());
        assertTrue(host.manager().attachments(host.state()).list("mvcni").isEmpty());
    }

    @Test
    void delRemovesTheLinkItMade() {
        assertEquals(0, serve("ADD", "k1", c1, conf("")).exit());
        assertTrue(host.kernel(c1).links().stream().anyMatch(l -> l.name().value().equals("eth0")));
        CniServiceTest.Out del = serve("DEL", "k1", c1, conf(""));
        assertEquals(0, del.exit(), del.out() + del.err());
        assertTrue(host.kernel(c1).links().stream().noneMatch(l -> l.name().value().equals("eth0")), "eth0 deleted");
        CniServiceTest.Out again = serve("DEL", "k1", c1, conf(""));
        assertEquals(0, again.exit(), "a second DEL finds nothing and succeeds: " + again.out() + again.err());
    }

    @Test
    void aWrongKeyIsCode7NamingItAndOtherSettingsForAnExistingNetworkToo() {
        CniServiceTest.assertError(serve("ADD", "k1", c1, conf(",\"mode\":\"sideways\"")), 7, "mode: \"sideways\" must be one of");
        CniServiceTest.assertError(serve("ADD", "k1", c1, conf("").replace("\"master\":\"up0\"", "\"master\":5")), 7, "master: \"5\" must be");
        assertEquals(0, serve("ADD", "k1", c1, conf("")).exit());
        CniServiceTest.assertError(serve("ADD", "k2", host.namespace("c2"), conf(",\"mode\":\"vepa\"")), 7,
                "option mode: network \"mvcni\" exists with other settings: it has mode=bridge, this configuration asks for mode=vepa");
        assertEquals(1, host.manager().attachments(host.state()).list("mvcni").size(), "nothing attached by the refused ADD");
    }

    @Test
    void aConfigurationOrTypeTheInstalledPluginDoesNotServeFallsThroughOrIsCode2() {
        CniServiceTest.assertError(serve("ADD", "k1", c1, conf(",\"linkInContainer\":true")), 2,
                "type: the installed plugin \"macvlan\" does not serve this configuration as a CNI type, and no other macvlan plugin on CNI_PATH");
        CniServiceTest.assertError(serve("ADD", "k1", c1, conf("").replace("\"macvlan\"", "\"servesnone\"")), 2,
                "type: the installed plugin \"servesnone\" does not serve");
        CniServiceTest.assertError(serve("ADD", "k1", c1, conf("").replace("\"dataDir\"", "\"routes\":[{\"dst\":\"10.9.0.0/16\"}],\"dataDir\"")), 2,
                "ipam.routes: a route to 10.9.0.0/16");
        assertTrue(host.manager().networks(host.state()).find("mvcni").isEmpty(), "no network made");
    }

    @Test
    void statusAsksTheDriverWhetherAnAddCanSucceed() {
        service.ipam = new HostLocalMapping(host.ipam());
        String v11 = conf("").replace("1.0.0", "1.1.0");
        CniServiceTest.assertError(serve("STATUS", "k1", c1, v11.replace("\"up0\"", "\"nope\"")), 50, "invalid opt parent \"nope\": is no interface");
        assertEquals(0, serve("STATUS", "k1", c1, v11).exit(), "no network yet, its parent is there");
        assertEquals(0, serve("ADD", "k1", c1, v11).exit());
        assertEquals(0, serve("STATUS", "k1", c1, v11).exit());
        try (NetnsHandle h = host.stack().open(NetnsRef.current())) {
            h.links().delete(LinkRef.name("up0"));
        }
        CniServiceTest.assertError(serve("STATUS", "k1", c1, v11), 51, "network \"mvcni\" lacks parent \"up0\"");
    }

    /** A third party's macvlan driver, as the example's: the reference macvlan plugin's keys mapped onto its options. */
    static class Macvlan implements NetworkPlugin {
        static final List<String> MODES = List.of("private", "vepa", "bridge", "passthru");

        @Override
        public Map<String, String> options() {
            return Map.of("parent", "the parent", "mode", "the mode", "mtu", "the MTU");
        }

        @Override
        public Map<String, String> defaults(NetworkConfig config) {
            return Map.of("mode", "bridge");
        }

        @Override
        public Map<String, String> cniOptions(Map<String, Object> conf) {
            if (conf.containsKey("linkInContainer")) {
                return null;
            }
            routesRefused(conf);
            Map<String, String> o = new LinkedHashMap<>();
            if (!(conf.get("master") instanceof String master)) {
                throw new InvalidInputException("master", conf.get("master"), "must be the name of a host interface");
            }
            o.put("parent", master);
            if (conf.get("mode") instanceof String mode) {
                if (!MODES.contains(mode)) {
                    throw new InvalidInputException("mode", mode, "must be one of " + MODES);
                }
                o.put("mode", mode);
            }
            if (conf.get("mtu") instanceof Long mtu) {
                o.put("mtu", mtu.toString());
            }
            return o;
        }

        @Override
        public void validate(NetworkContext ctx, List<NetworkConfig> others) {
            if (checkNetwork(ctx).size() > 0) {
                throw new InvalidInputException("opt parent", ctx.config().options().get("parent"), "is no interface of the host");
            }
        }

        @Override
        public List<String> checkNetwork(NetworkContext ctx) {
            String parent = ctx.config().options().get("parent");
            return ctx.host().links().find(LinkRef.name(parent)).isPresent() ? List.of() : List.of("parent \"" + parent + "\"");
        }

        @Override
        public Attachment setUp(NetworkContext ctx, AttachRequest request, Attachment previous) {
            NetworkConfig c = ctx.config();
            ctx.host().links().add(new LinkSpec.Other(request.ifName(), "macvlan", LinkRef.name(c.options().get("parent")),
                    request.container(), c.number("mtu", 68, 65535), request.mac(),
                    List.of(new LinkSpec.Attr(1, LinkSpec.Attr.As.U32, 1L << MODES.indexOf(c.options().get("mode"))))));
            try (NetnsHandle ctr = ctx.stack().open(request.container())) {
                for (IpPrefix a : previous.addresses()) {
                    ctr.addresses().add(LinkRef.name(request.ifName()), a);
                }
                ctr.links().setUp(LinkRef.name(request.ifName()), true);
                ctr.routes().replace(Route.defaultVia(c.gateway()));
                return new Attachment(c.name(), request.containerId(), request.container().path().toString(), request.ifName(), null,
                        ctr.links().get(LinkRef.name(request.ifName())).mac(), previous.addresses(), previous.ports());
            }
        }

        @Override
        public List<String> check(NetworkContext ctx, Attachment a) {
            try (NetnsHandle ctr = ctx.stack().open(NetnsRef.path(Path.of(a.netnsPath())))) {
                Optional<Link> l = ctr.links().find(LinkRef.name(a.ifName()));
                return l.isPresent() && l.get().kind().equals("macvlan") ? List.of() : List.of("macvlan \"" + a.ifName() + "\" in the container");
            }
        }

        @Override
        public void tearDown(NetworkContext ctx, Attachment a, ErrorCollector errors) {
            if (a.netnsPath() == null || a.netnsPath().isEmpty()) {
                return; // only the names are known: nothing of its own to find
            }
            errors.run("delete", () -> {
                try (NetnsHandle ctr = ctx.stack().open(NetnsRef.path(Path.of(a.netnsPath())))) {
                    ctr.links().find(LinkRef.name(a.ifName())).ifPresent(l -> ctr.links().delete(LinkRef.name(a.ifName())));
                }
            });
        }
    }

    /** A route in ipam.routes other than a default one is not served: UnavailableException naming the key (falls through). */
    static void routesRefused(Map<String, Object> conf) {
        if (conf.get("ipam") instanceof Map<?, ?> ipam && ipam.get("routes") instanceof List<?> routes) {
            for (Object r : routes) {
                IpPrefix dst = IpPrefix.parse("ipam.routes", String.valueOf(((Map<?, ?>) r).get("dst"))).network();
                if (dst.length() != 0) {
                    throw new dev.patchbay.core.errors.UnavailableException("a route to " + dst + " (the macvlan driver makes the container's routes)",
                            new InvalidInputException("ipam.routes", dst, "is not a default route"));
                }
            }
        }
    }
}
