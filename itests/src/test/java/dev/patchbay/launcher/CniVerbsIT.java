package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.launcher.CniShimTest.Run;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The verbs past ADD and DEL through the real {@code cni/} executables and the daemon: CHECK against the kernel, GC
 * with {@code cni.dev/valid-attachments}, STATUS (an exhausted range, a bridge gone), Podman's chain (bridge → portmap →
 * firewall → tuning) there and back, a tuning configuration Patchbay does not serve going to the reference tuning, and
 * a CNI attachment detached with {@code patchbay detach}.
 */
@NetnsTest
class CniVerbsIT {
    @RegisterExtension
    static final DaemonCli pb = new DaemonCli();
    static final String CNI_PATH = CniSeedIT.CNI_DIR + ":/usr/lib/cni";

    static Run call(String type, String verb, String id, String netns, JsonObject config) throws Exception {
        Map<String, String> env = CniSeedIT.env(verb, netns == null ? "" : "/run/netns/" + netns, "eth0", CNI_PATH, pb.cli().stateDir(), pb.cli().runDir());
        env.put("CNI_CONTAINERID", id);
        return CniShimTest.shim(CniSeedIT.CNI_DIR.resolve(type), env, config.toString());
    }

    static Run ok(Run r, String what) {
        assertEquals(0, r.code(), what + ": " + r.out() + r.err());
        return r;
    }

    static JsonObject bridge(String version, String name, String subnet, String extraIpam) throws Exception {
        Path dataDir = Files.createTempDirectory("pb-ipam");
        return JsonParser.parseString("{\"cniVersion\":\"" + version + "\",\"name\":\"" + name + "\",\"type\":\"bridge\",\"bridge\":\"" + name
                + "0\",\"isGateway\":true,\"ipMasq\":true,\"hairpinMode\":true,\"capabilities\":{\"ips\":true},\"ipam\":{\"type\":\"host-local\","
                + "\"dataDir\":\"" + dataDir + "\",\"ranges\":[[{\"subnet\":\"" + subnet + "\"" + extraIpam + "}]],\"routes\":[{\"dst\":\"0.0.0.0/0\"}]}}")
                .getAsJsonObject();
    }

    static JsonObject plugin(String version, String name, String type, String body, JsonObject prev) {
        JsonObject o = JsonParser.parseString("{\"cniVersion\":\"" + version + "\",\"name\":\"" + name + "\",\"type\":\"" + type + "\"" + body + "}")
                .getAsJsonObject();
        if (prev != null) {
            o.add("prevResult", prev);
        }
        return o;
    }

    static JsonObject with(JsonObject o, String key, JsonObject value) {
        JsonObject c = o.deepCopy();
        c.add(key, value);
        return c;
    }

    @Test
    void checkComparesTheKernelWithPrevResult(Sandbox sandbox) throws Exception {
        String ctr = sandbox.netns("chk");
        JsonObject conf = bridge("1.0.0", "chk", "10.94.0.0/24", "");
        try {
            JsonObject result = ok(call("bridge", "ADD", "c1", ctr, conf), "ADD").json();
            Run check = ok(call("bridge", "CHECK", "c1", ctr, with(conf, "prevResult", result)), "CHECK of what ADD made");
            assertEquals("", check.out());
            sandbox.execIn(ctr, "ip", "route", "del", "default");
            Run broken = call("bridge", "CHECK", "c1", ctr, with(conf, "prevResult", result));
            assertNotEquals(0, broken.code());
            assertEquals(101, broken.json().get("code").getAsInt(), broken.out());
            assertTrue(broken.json().get("msg").getAsString().contains("route to 0.0.0.0/0 is not in"), broken.out());
            Run unknown = call("bridge", "CHECK", "c2", ctr, with(conf, "prevResult", result));
            assertEquals(3, unknown.json().get("code").getAsInt(), unknown.out());
            Run noPrev = call("bridge", "CHECK", "c1", ctr, conf);
            assertEquals(7, noPrev.json().get("code").getAsInt(), noPrev.out());
            ok(call("bridge", "DEL", "c1", ctr, conf), "DEL");
        } finally {
            pb.cli().run("network", "rm", "--force", "chk").ok();
        }
    }

    @Test
    void gcReleasesEveryAttachmentOutsideTheValidOnes(Sandbox sandbox) throws Exception {
        String a = sandbox.netns("gca");
        String b = sandbox.netns("gcb");
        JsonObject conf = bridge("1.1.0", "gcn", "10.95.0.0/24", "");
        Path dataDir = Path.of(conf.getAsJsonObject("ipam").get("dataDir").getAsString()).resolve("gcn");
        try {
            ok(call("bridge", "ADD", "ca", a, conf), "ADD a");
            JsonObject rb = ok(call("bridge", "ADD", "cb", b, conf), "ADD b").json();
            ok(call("portmap", "ADD", "cb", b, plugin("1.1.0", "gcn", "portmap", ",\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":8095,"
                    + "\"containerPort\":80,\"protocol\":\"tcp\"}]}", rb)), "portmap ADD b");
            assertTrue(pb.cli().run("firewall", "show").ok().out().contains("gcn/cb"), "b's published port has its rules");

            ok(call("bridge", "GC", "", null, conf), "GC without a list");
            assertTrue(pb.cli().run("ls").ok().out().contains("cb"), "no list: when in doubt, keep");

            JsonObject gc = conf.deepCopy();
            gc.add("cni.dev/valid-attachments", JsonParser.parseString("[{\"containerID\":\"ca\",\"ifname\":\"eth0\"}]"));
            Run r = ok(call("bridge", "GC", "", null, gc), "GC");
            assertEquals("", r.out());
            String ls = pb.cli().run("ls").ok().out();
            assertTrue(ls.contains("ca") && !ls.contains("cb"), ls);
            assertFalse(pb.cli().run("firewall", "show").ok().out().contains("gcn/cb"), "b's rules are gone");
            try (var files = Files.list(dataDir)) {
                assertEquals(1, files.filter(f -> f.getFileName().toString().startsWith("10.95.")).count(), "only a's reservation is left");
            }
            assertTrue(sandbox.execIn(b, "ip", "link", "show", "eth0").code() != 0, "b is unplugged");
            assertTrue(sandbox.ping(a, "10.95.0.1"), "a still works");
            ok(call("bridge", "DEL", "ca", a, conf), "DEL a");
        } finally {
            pb.cli().run("network", "rm", "--force", "gcn");
        }
    }

    @Test
    void statusSaysWhetherAnAddCanSucceedNow(Sandbox sandbox) throws Exception {
        String a = sandbox.netns("sta");
        JsonObject conf = bridge("1.1.0", "stn", "10.96.0.0/24", ",\"rangeStart\":\"10.96.0.7\",\"rangeEnd\":\"10.96.0.7\"");
        try {
            ok(call("bridge", "STATUS", "", null, conf), "STATUS before the network exists");
            JsonObject r = ok(call("bridge", "ADD", "c1", a, conf), "ADD").json();
            assertEquals("10.96.0.7/24", r.getAsJsonArray("ips").get(0).getAsJsonObject().get("address").getAsString());
            Run full = call("bridge", "STATUS", "", null, conf);
            assertEquals(50, full.json().get("code").getAsInt(), full.out());
            assertTrue(full.json().get("msg").getAsString().contains("no free address left in 10.96.0.0/24 (10.96.0.7-10.96.0.7)"), full.out());
            // the daemon puts a deleted bridge back 300 ms after the kernel's events (DaemonWatch): let the look the ADD's
            // events scheduled pass first, then ask right after the deletion, well inside the next one's 300 ms
            Thread.sleep(400);
            sandbox.run("ip", "link", "del", "stn0");
            Run gone = call("bridge", "STATUS", "", null, conf);
            assertEquals(51, gone.json().get("code").getAsInt(), gone.out());
            ok(call("bridge", "DEL", "c1", a, conf), "DEL with the bridge gone");
        } finally {
            pb.cli().run("network", "rm", "--force", "stn");
        }
    }

    @Test
    void podmansChainThereAndBackThenAReferenceTuningAndPatchbayDetach(Sandbox sandbox) throws Exception {
        String c1 = sandbox.netns("pc1");
        String c2 = sandbox.netns("pc2");
        String v = "0.4.0";
        JsonObject bridge = bridge(v, "podn", "10.97.0.0/24", ",\"gateway\":\"10.97.0.1\"");
        try {
            JsonObject r1 = ok(call("bridge", "ADD", "p1", c1, bridge), "bridge ADD").json();
            JsonObject portmap = plugin(v, "podn", "portmap", ",\"capabilities\":{\"portMappings\":true},\"runtimeConfig\":{\"portMappings\":"
                    + "[{\"hostPort\":8097,\"containerPort\":80,\"protocol\":\"tcp\"}]}", r1);
            assertEquals(r1, ok(call("portmap", "ADD", "p1", c1, portmap), "portmap ADD").json());
            JsonObject firewall = plugin(v, "podn", "firewall", ",\"backend\":\"\"", r1);
            assertEquals(r1, ok(call("firewall", "ADD", "p1", c1, firewall), "firewall ADD").json());
            JsonObject tuning = plugin(v, "podn", "tuning", ",\"mtu\":1400,\"sysctl\":{\"net.ipv4.conf.eth0.arp_ignore\":\"1\"}", r1);
            assertEquals(r1, ok(call("tuning", "ADD", "p1", c1, tuning), "tuning ADD").json());
            assertEquals(1400, CniSeedIT.link(sandbox, c1, "eth0").get("mtu").getAsInt());
            assertEquals("1", sandbox.execIn(c1, "cat", "/proc/sys/net/ipv4/conf/eth0/arp_ignore").output().strip());
            ok(call("tuning", "CHECK", "p1", c1, tuning), "tuning CHECK");
            assertTrue(pb.cli().run("ls").ok().out().contains("8097:80/tcp"), "the published port is the attachment's");

            // a neighbour reaches the published port on the gateway
            ok(call("bridge", "ADD", "p2", c2, bridge), "bridge ADD 2");
            Process echo = Topo.echoServer(c1, 80);
            try {
                assertEquals("hi", CniDifferentialIT.echoFrom(sandbox, c2, "10.97.0.1", 8097, "hi"));
            } finally {
                echo.destroy();
            }
            for (String[] step : List.of(new String[] {"tuning"}, new String[] {"firewall"}, new String[] {"portmap"}, new String[] {"bridge"})) {
                JsonObject conf = switch (step[0]) {
                    case "tuning" -> tuning;
                    case "firewall" -> firewall;
                    case "portmap" -> portmap;
                    default -> with(bridge, "prevResult", r1);
                };
                ok(call(step[0], "DEL", "p1", c1, conf), step[0] + " DEL");
            }
            assertFalse(pb.cli().run("ls").ok().out().contains("p1"));

            // tuning with a key Patchbay does not serve goes to the reference tuning on CNI_PATH
            JsonObject r2 = ok(call("bridge", "ADD", "p1", c1, bridge), "bridge ADD again").json();
            JsonObject txq = plugin(v, "podn", "tuning", ",\"txQLen\":321", r2);
            Run ref = ok(call("tuning", "ADD", "p1", c1, txq), "reference tuning ADD");
            assertTrue(ref.err().contains("running /usr/lib/cni/tuning"), ref.err());
            assertEquals(r2, ref.json(), "the reference tuning's result (Debian's 1.1.1 ignores txQLen: it came after)");
            ok(call("tuning", "DEL", "p1", c1, txq), "reference tuning DEL");

            // a CNI attachment is a Patchbay attachment: patchbay detach takes it, a DEL afterwards finds nothing to do
            pb.cli().run("detach", "podn", "--id", "p1").ok();
            assertFalse(pb.cli().run("ls").ok().out().contains("p1"));
            ok(call("bridge", "DEL", "p1", c1, bridge), "DEL after patchbay detach");
            ok(call("bridge", "DEL", "p2", c2, bridge), "DEL 2");
        } finally {
            pb.cli().run("network", "rm", "--force", "podn");
        }
    }
}
