package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.launcher.CniShimTest.Run;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seed 004 §6, its procedure exactly: its {@code bridge.conf} (byte for byte, so host-local's default data directory
 * /var/lib/cni/networks, which this test removes again if it made it), its environment ({@code CNI_PATH} the plugin
 * folder, {@code CNI_COMMAND}, a 64-hex {@code CNI_CONTAINERID}, {@code CNI_NETNS}, {@code CNI_IFNAME=eth10}), the
 * config on stdin, through the distribution's {@code cni/bridge}, with a runtime's reduced environment (no JAVA_HOME,
 * PATH=/usr/sbin:/usr/bin:/sbin:/bin); with the daemon serving the shim and without one (the shim execs the launcher).
 * The result is the seed's, text for text, with this run's MACs and veth name; the kernel has what it says: the veth on
 * the bridge, the address and routes in the container, the masquerade; the container pings the gateway and, through
 * the masquerade, an "outside" with no route back. Then DEL, twice, leaves no link, reservation or rule.
 */
@NetnsTest
class CniSeedIT {
    static final String CONTAINER_ID = "6bcebe665b31678906a5452fae78c1fd86a36a479c3054bb1c3e80aa05db826b";

    /** Seed 004 §6's bridge.conf, as the seed writes it. */
    static final String BRIDGE_CONF = """
            {
                "cniVersion": "1.0.0",
                "name": "devops",
                "type": "bridge",
                "bridge": "devops0",
                "isGateway": true,
                "ipMasq": true,
                "ipam": {
                    "type": "host-local",
                    "subnet": "10.0.0.0/24",
                    "routes": [
                        { "dst": "0.0.0.0/0" }
                    ],
                    "rangeStart": "10.0.0.2",
                    "rangeEnd": "10.0.0.5",
                    "gateway": "10.0.0.1"
                },
                "dns": {
                    "nameservers": [ "1.1.1.1" ]
                }
            }
            """;

    /** The seed's printed result, its MACs and veth name as placeholders. */
    static final String RESULT = """
            {
                "cniVersion": "1.0.0",
                "interfaces": [
                    {
                        "name": "devops0",
                        "mac": "BRIDGE_MAC"
                    },
                    {
                        "name": "VETH",
                        "mac": "VETH_MAC"
                    },
                    {
                        "name": "eth10",
                        "mac": "ETH10_MAC",
                        "sandbox": "NETNS"
                    }
                ],
                "ips": [
                    {
                        "interface": 2,
                        "address": "10.0.0.2/24",
                        "gateway": "10.0.0.1"
                    }
                ],
                "routes": [
                    {
                        "dst": "0.0.0.0/0"
                    }
                ],
                "dns": {
                    "nameservers": [
                        "1.1.1.1"
                    ]
                }
            }
            """;

    static final Path CNI_DIR = Cli.DIST.resolve("cni").toAbsolutePath();
    static final Path VAR_LIB_CNI = Path.of("/var/lib/cni");

    /** A runtime's environment for one call: the CNI variables, a short PATH, and where this test's Patchbay keeps its state. */
    static Map<String, String> env(String verb, String netns, String ifname, String cniPath, Path state, Path run) {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_PATH", cniPath);
        env.put("CNI_COMMAND", verb);
        env.put("CNI_CONTAINERID", CONTAINER_ID);
        env.put("CNI_NETNS", netns);
        env.put("CNI_IFNAME", ifname);
        env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("PATCHBAY_STATE_DIR", state.toString());
        env.put("PATCHBAY_RUN_DIR", run.toString());
        env.put("PATCHBAY_DAEMON_AUTOSTART", "off"); // "cold" means no daemon: none starts (AutostartIT: one does)
        return env;
    }

    @ParameterizedTest
    @ValueSource(strings = {"daemon", "cold"})
    void theSeedsProcedureThroughCniBridge(String mode, Sandbox sandbox) throws Exception {
        Path state = Files.createTempDirectory("pb-state");
        Path run = Files.createTempDirectory("pb-run");
        Cli cli = new Cli(state, run, mode.equals("cold") ? Map.of("PATCHBAY_DAEMON", "off") : Map.of());
        boolean hadVarLibCni = Files.exists(VAR_LIB_CNI);
        assertFalse(Files.exists(VAR_LIB_CNI.resolve("networks/devops")), "someone else's devops reservations: not touching them");
        Process daemon = mode.equals("daemon") ? cli.startDaemon(Map.of("PATCHBAY_STATE_DIR", state.toString())) : null;
        String ctr = sandbox.netns("ctr");
        String outside = sandbox.netns("out");
        Topo.uplink(sandbox, outside);
        String netns = "/run/netns/" + ctr;
        try {
            Run add = CniShimTest.shim(CNI_DIR.resolve("bridge"), env("ADD", netns, "eth10", CNI_DIR.toString(), state, run), BRIDGE_CONF);
            assertEquals(0, add.code(), add.out() + add.err());
            JsonObject result = add.json();
            String veth = result.getAsJsonArray("interfaces").get(1).getAsJsonObject().get("name").getAsString();
            assertEquals(RESULT.replace("BRIDGE_MAC", mac(sandbox, null, "devops0")).replace("VETH_MAC", mac(sandbox, null, veth))
                    .replace("VETH", veth).replace("ETH10_MAC", mac(sandbox, ctr, "eth10")).replace("NETNS", netns), add.out());

            // the kernel: the veth on the bridge, the container's address and routes, the masquerade
            JsonObject hostIf = link(sandbox, null, veth);
            assertEquals("devops0", hostIf.get("master").getAsString());
            assertTrue(addresses(sandbox, null, "devops0").contains("10.0.0.1/24"));
            assertTrue(addresses(sandbox, ctr, "eth10").contains("10.0.0.2/24"), addresses(sandbox, ctr, "eth10").toString());
            String routes = sandbox.execIn(ctr, "ip", "route", "show").output();
            assertTrue(routes.contains("default via 10.0.0.1 dev eth10"), routes);
            assertTrue(routes.contains("10.0.0.0/24 dev eth10 proto kernel scope link src 10.0.0.2"), routes);
            String rules = Sandbox.exec("nft", "list", "ruleset").output() + Sandbox.exec("iptables-save").output();
            assertTrue(rules.contains("10.0.0.0/24") && rules.toLowerCase().contains("masquerade"), rules);
            assertTrue(sandbox.ping(ctr, "10.0.0.1"), "the container pings the gateway");
            assertTrue(sandbox.ping(ctr, Topo.OUTSIDE_IP), "and the outside, which has no route back: masqueraded");

            // one model: Patchbay's own commands show it, and IPAM's records are host-local's
            String ls = cli.run("-o", "json", "ls").ok().out();
            assertTrue(ls.contains(CONTAINER_ID) && ls.contains("10.0.0.2/24"), ls);
            assertTrue(cli.run("network", "ls").ok().out().contains("devops"));
            assertEquals(CONTAINER_ID + "\r\neth10", Files.readString(VAR_LIB_CNI.resolve("networks/devops/10.0.0.2")).strip(), "host-local's record");

            for (int i = 0; i < 2; i++) { // DEL, then DEL again: both succeed
                Run del = CniShimTest.shim(CNI_DIR.resolve("bridge"), env("DEL", netns, "eth10", CNI_DIR.toString(), state, run), BRIDGE_CONF);
                assertEquals(0, del.code(), "DEL " + (i + 1) + ": " + del.out() + del.err());
                assertEquals("", del.out());
            }
            assertFalse(Sandbox.exec("ip", "link", "show", veth).code() == 0, "the veth is gone");
            assertFalse(Files.exists(VAR_LIB_CNI.resolve("networks/devops/10.0.0.2")), "the reservation is gone");
            assertFalse(cli.run("-o", "json", "ls").ok().out().contains(CONTAINER_ID));
            // DEL of a container never attached, with CNI_NETNS empty, and with the namespace gone
            Map<String, String> never = env("DEL", "", "eth10", CNI_DIR.toString(), state, run);
            never.put("CNI_CONTAINERID", "never-attached");
            Run del = CniShimTest.shim(CNI_DIR.resolve("bridge"), never, BRIDGE_CONF);
            assertEquals(0, del.code(), del.out() + del.err());
            del = CniShimTest.shim(CNI_DIR.resolve("bridge"), env("DEL", "/run/netns/gone", "eth10", CNI_DIR.toString(), state, run), BRIDGE_CONF);
            assertEquals(0, del.code(), del.out() + del.err());
        } finally {
            Sandbox.exec("ip", "link", "del", "up0"); // its peer's namespace goes later, and with it, in time, this end
            cli.run("network", "rm", "--force", "devops");
            if (daemon != null) {
                daemon.destroy();
                assertTrue(daemon.waitFor(60, TimeUnit.SECONDS));
            }
            if (!hadVarLibCni) {
                delete(VAR_LIB_CNI);
            }
        }
        assertFalse(Files.exists(VAR_LIB_CNI.resolve("networks/devops")), "network rm removes its (empty) IPAM folder");
    }

    static String mac(Sandbox sandbox, String netns, String dev) {
        return link(sandbox, netns, dev).get("address").getAsString();
    }

    static JsonObject link(Sandbox sandbox, String netns, String dev) {
        String out = netns == null ? sandbox.run("ip", "-j", "link", "show", "dev", dev) : sandbox.execIn(netns, "ip", "-j", "link", "show", "dev", dev).output();
        return JsonParser.parseString(out).getAsJsonArray().get(0).getAsJsonObject();
    }

    /** The addresses of a link, as ADDR/LEN, IPv6 link-local left out. */
    static java.util.List<String> addresses(Sandbox sandbox, String netns, String dev) {
        String out = netns == null ? sandbox.run("ip", "-j", "addr", "show", "dev", dev) : sandbox.execIn(netns, "ip", "-j", "addr", "show", "dev", dev).output();
        java.util.List<String> list = new java.util.ArrayList<>();
        for (JsonElement a : JsonParser.parseString(out).getAsJsonArray().get(0).getAsJsonObject().getAsJsonArray("addr_info")) {
            JsonObject o = a.getAsJsonObject();
            if (!o.get("scope").getAsString().equals("link")) {
                list.add(o.get("local").getAsString() + "/" + o.get("prefixlen").getAsInt());
            }
        }
        return list;
    }

    static void delete(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }

    static JsonArray array(JsonObject o, String key) {
        return o.has(key) ? o.getAsJsonArray(key) : new JsonArray();
    }
}
