package dev.patchbay.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.host.cni.CniInvocation;
import dev.patchbay.orchestrator.network.FakeHost;
import dev.patchbay.orchestrator.network.OwnPlugins;
import dev.patchbay.plugin.bridge.BridgePlugin;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calls that fail before touching any network, through the service as the command runs it: the error result alone on
 * stdout (code 1 bad version, 4 missing or bad environment, 6 not JSON, 7 bad config naming the field, 2 a type not
 * served with nothing to fall through to), a non-zero exit, a line on stderr and in the log file.
 */
class CniServiceTest {
    record Out(int exit, String out, String err, JsonObject json) {
    }

    /** Seed 004 §6's bridge.conf, as written. */
    static final String SEED = """
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

    /** A service over the fake stack with the bridge driver installed (it serves the CNI type bridge). */
    static CniService service() {
        try {
            FakeHost host = new FakeHost(Files.createTempDirectory("cniservice"));
            OwnPlugins.install(host, "bridge", new BridgePlugin());
            CniService s = new CniService();
            s.manager = host.manager();
            s.firewall = host.firewall();
            s.ipam = new HostLocalMapping(host.ipam());
            return s;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String with(String json, String key, String value) {
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        o.add(key, JsonParser.parseString(value));
        return o.toString();
    }

    static Out serve(String type, Map<String, String> env, String stdin) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = service().serve(new CniInvocation(type, env, stdin.getBytes(StandardCharsets.UTF_8)), new PrintWriter(out),
                new PrintWriter(err), () -> false);
        JsonObject json = out.toString().isBlank() ? null : JsonParser.parseString(out.toString()).getAsJsonObject();
        return new Out(exit, out.toString(), err.toString(), json);
    }

    static Map<String, String> env(String verb, String... kv) {
        Map<String, String> env = new HashMap<>(Map.of("CNI_COMMAND", verb, "CNI_CONTAINERID", "c1", "CNI_NETNS", "/run/netns/x",
                "CNI_IFNAME", "eth0", "CNI_PATH", "/nonexistent"));
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == null) {
                env.remove(kv[i]);
            } else {
                env.put(kv[i], kv[i + 1]);
            }
        }
        return env;
    }

    static void assertError(Out r, int code, String msgStart) {
        assertTrue(r.exit() != 0, r.out());
        assertEquals(code, r.json().get("code").getAsInt(), r.out());
        assertTrue(r.json().get("msg").getAsString().startsWith(msgStart), r.out());
        assertTrue(r.err().contains("error " + code + ": "), "a diagnostic on stderr: " + r.err());
    }

    @Test
    void versionAnswersWithTheInputsVersion() {
        Out r = serve("bridge", env("VERSION"), "{\"cniVersion\":\"0.4.0\"}");
        assertEquals(0, r.exit());
        assertEquals("0.4.0", r.json().get("cniVersion").getAsString());
        assertEquals(5, r.json().getAsJsonArray("supportedVersions").size());
    }

    @Test
    void aVersionOutsideTheSupportedOnesIsCode1() {
        Out r = serve("bridge", env("ADD"), SEED.replace("1.0.0", "0.2.0"));
        assertError(r, 1, "incompatible CNI versions");
        assertEquals("0.2.0", r.json().get("cniVersion").getAsString());
        assertError(serve("bridge", env("GC"), SEED), 1, "config version does not allow GC");
        assertError(serve("bridge", env("CHECK"), SEED.replace("1.0.0", "0.3.1")), 1, "config version does not allow CHECK");
    }

    @Test
    void missingOrBadEnvironmentIsCode4NamingTheVariables() {
        assertError(serve("bridge", env("ADD", "CNI_NETNS", null, "CNI_IFNAME", ""), SEED), 4,
                "required env variables [CNI_NETNS,CNI_IFNAME] missing");
        assertError(serve("bridge", env("ADD", "CNI_CONTAINERID", "not/an id"), SEED), 4, "CNI_CONTAINERID: ");
        assertError(serve("bridge", env("ADD", "CNI_NETNS", "relative/path"), SEED), 4, "CNI_NETNS: ");
        assertError(serve("bridge", env("ADD", "CNI_NETNS", "/nonexistent/netns"), SEED), 4, "CNI_NETNS: /nonexistent/netns does not exist");
        assertError(serve("bridge", env("FLY"), SEED), 4, "unknown CNI_COMMAND: FLY");
    }

    @Test
    void notJsonIsCode6AndABadFieldCode7() {
        assertError(serve("bridge", env("ADD"), "{\"cniVersion\": \"1.0.0\", "), 6, "the network configuration on stdin is not valid JSON");
        assertError(serve("bridge", env("ADD"), "[1]"), 6, "the network configuration on stdin is not a JSON object");
        assertError(serve("bridge", env("ADD"), with(SEED, "mtu", "\"x\"")), 7, "mtu: ");
        assertError(serve("bridge", env("ADD"), SEED.replace("\"devops\"", "\"-bad name\"")), 7, "name: ");
    }

    @Test
    void aTypeOrConfigNotServedWithNothingToFallThroughToIsCode2ButItsDelSucceeds(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("cni.log");
        Out r = serve("macvlan", env("ADD", "PATCHBAY_CNI_LOG", log.toString()), "{\"cniVersion\":\"1.0.0\",\"name\":\"m\",\"type\":\"macvlan\"}");
        assertError(r, 2, "type: type \"macvlan\" is not one Patchbay serves, and no other macvlan plugin on CNI_PATH");
        assertError(serve("bridge", env("ADD"), with(SEED, "ipam", "{\"type\":\"dhcp\"}")), 2,
                "ipam.type: IPAM type \"dhcp\"");
        // the bridge driver's cniOptions says which key it does not serve (UnavailableException, the key in its cause)
        assertError(serve("bridge", env("ADD"), with(SEED, "vlan", "100")), 2, "vlan: a VLAN (100), and no other bridge plugin on CNI_PATH");
        assertError(serve("patchbay", env("ADD"), with(with(SEED, "type", "\"patchbay\""), "macspoofchk", "true")), 2,
                "macspoofchk: macspoofchk is true, and no other patchbay plugin on CNI_PATH");
        Out del = serve("bridge", env("DEL"), with(SEED, "ipam", "{\"type\":\"dhcp\"}"));
        assertEquals(0, del.exit(), del.out() + del.err());
        assertEquals("", del.out());
        String logged = Files.readString(log);
        assertTrue(logged.contains(" ADD macvlan network=\"m\" id=c1 ifname=eth0 exit=1 "), logged);
        assertTrue(logged.contains("error 2: type: "), logged);
    }

    @Test
    void anotherPluginOfTheTypeOnThePathRunsWithTheSameEnvironmentAndStdin(@TempDir Path dir) throws Exception {
        Path plugin = dir.resolve("macvlan");
        Files.writeString(plugin, "#!/bin/sh\necho \"{\\\"ran\\\":\\\"$CNI_COMMAND $CNI_IFNAME $PATCHBAY_CNI_FALLTHROUGH\\\",\\\"stdin\\\":$(cat)}\"\necho diag >&2\nexit 3\n");
        plugin.toFile().setExecutable(true);
        String stdin = "{\"cniVersion\":\"1.0.0\",\"name\":\"m\",\"type\":\"macvlan\"}";
        Out r = serve("macvlan", env("ADD", "CNI_PATH", "/nonexistent:" + dir), stdin);
        assertEquals(3, r.exit(), r.out() + r.err());
        assertEquals("ADD eth0 1", r.json().get("ran").getAsString());
        assertEquals(JsonParser.parseString(stdin), r.json().get("stdin"));
        assertTrue(r.err().contains("diag"), r.err());
        // it fell through once: the plugin it ran, were it the shim again, would not send it round
        Out again = serve("macvlan", env("ADD", "CNI_PATH", dir.toString(), FallThrough.MARK, "1"), stdin);
        assertError(again, 2, "type: ");
    }
}
