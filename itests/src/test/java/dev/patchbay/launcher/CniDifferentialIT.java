package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.launcher.CniShimTest.Run;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The reference plugins (Debian's containernetworking-plugins in /usr/lib/cni: bridge, host-local, portmap) and
 * Patchbay's {@code cni/} on the same configurations, one after the other in the same throwaway namespaces: the
 * results agree (interfaces' names and sandbox, every MAC the kernel's, ips with interface index and gateway, routes,
 * dns) and so does the container's kernel state ({@code ip -j addr}, {@code ip -j route}); a published port answers
 * from outside through either; and the reference host-local on Patchbay's data directory sees Patchbay's reservations,
 * as Patchbay sees host-local's. The differences the kernel shows are named where they are allowed.
 */
@NetnsTest
class CniDifferentialIT {
    /** The reference plugins' chains, left by their last DEL: see {@link ReferenceChains}. */
    @org.junit.jupiter.api.AfterAll
    static void removeTheReferencePluginsChains() throws java.io.IOException {
        ReferenceChains.remove();
    }

    static final Path REFERENCE = Path.of("/usr/lib/cni");
    @RegisterExtension
    static final DaemonCli pb = new DaemonCli();

    /** Which plugins: the reference's folder, or Patchbay's first (the reference after it, as a runtime's path would have). */
    enum Impl {
        REF(REFERENCE, REFERENCE.toString()),
        PB(CniSeedIT.CNI_DIR, CniSeedIT.CNI_DIR + ":" + REFERENCE);

        final Path dir;
        final String cniPath;

        Impl(Path dir, String cniPath) {
            this.dir = dir;
            this.cniPath = cniPath;
        }
    }

    static Run call(Impl impl, String type, String verb, String id, String netns, String config) throws Exception {
        Map<String, String> env = CniSeedIT.env(verb, "/run/netns/" + netns, "eth0", impl.cniPath, pb.cli().stateDir(), pb.cli().runDir());
        env.put("CNI_CONTAINERID", id);
        env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAME=" + id);
        return CniShimTest.shim(impl.dir.resolve(type), env, config);
    }

    static String bridgeConf(String version, Path dataDir) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"diffnet\",\"type\":\"bridge\",\"bridge\":\"diff0\",\"isGateway\":true,"
                + "\"ipMasq\":true,\"hairpinMode\":true,\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"" + dataDir + "\","
                + "\"ranges\":[[{\"subnet\":\"10.93.0.0/24\",\"gateway\":\"10.93.0.1\"}]],\"routes\":[{\"dst\":\"0.0.0.0/0\"}]},"
                + "\"dns\":{\"nameservers\":[\"10.93.0.1\"],\"search\":[\"example.org\"]}}";
    }

    /** As containerd's go-cni sends it: the mapping's keys are Go's field names, with no JSON tags (issue 26). */
    static String portmapConf(String version, JsonObject prev, int hostPort) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"diffnet\",\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true},"
                + "\"runtimeConfig\":{\"portMappings\":[{\"HostPort\":" + hostPort + ",\"ContainerPort\":80,\"Protocol\":\"tcp\",\"HostIP\":\"\"}]},"
                + "\"prevResult\":" + prev + "}";
    }

    /** What one implementation made: its result, and the container's addresses and routes as the kernel lists them. */
    record Made(JsonObject result, TreeSet<String> addresses, TreeSet<String> routes, String eth0Mac) {
    }

    static Made add(Impl impl, Sandbox sandbox, String ctr, String version, Path dataDir) throws Exception {
        Run r = call(impl, "bridge", "ADD", "c-" + ctr, ctr, bridgeConf(version, dataDir));
        assertEquals(0, r.code(), impl + " ADD: " + r.out() + r.err());
        return new Made(r.json(), kernelAddresses(sandbox, ctr), kernelRoutes(sandbox, ctr), CniSeedIT.mac(sandbox, ctr, "eth0"));
    }

    static void del(Impl impl, String ctr, String version, Path dataDir) throws Exception {
        Run r = call(impl, "bridge", "DEL", "c-" + ctr, ctr, bridgeConf(version, dataDir));
        assertEquals(0, r.code(), impl + " DEL: " + r.out() + r.err());
    }

    /** The reference bridge leaves its bridge behind, Patchbay its network: both go before the other's turn. */
    static void cleanUp(Impl impl, Sandbox sandbox) {
        if (impl == Impl.REF) {
            Sandbox.exec("ip", "link", "del", "diff0");
        } else {
            pb.cli().run("network", "rm", "--force", "diffnet").ok();
        }
    }

    @Test
    void bridgeAndHostLocalGiveTheSameResultAndKernelStateInEveryVersion(Sandbox sandbox) throws Exception {
        for (String version : List.of("0.3.1", "0.4.0", "1.0.0")) {
            List<Made> made = new ArrayList<>();
            for (Impl impl : Impl.values()) {
                String ctr = sandbox.netns(impl.name().toLowerCase() + version.replace(".", ""));
                Path dataDir = Files.createTempDirectory("pb-ipam");
                Made m = add(impl, sandbox, ctr, version, dataDir);
                made.add(m);
                JsonObject r = m.result();
                assertEquals(version, r.get("cniVersion").getAsString());
                var ifs = r.getAsJsonArray("interfaces");
                assertEquals(3, ifs.size(), r.toString());
                assertEquals("diff0", name(ifs.get(0)));
                assertEquals(CniSeedIT.mac(sandbox, null, "diff0"), mac(ifs.get(0)), impl + ": the bridge's MAC is the kernel's");
                assertEquals(CniSeedIT.mac(sandbox, null, name(ifs.get(1))), mac(ifs.get(1)), impl + ": the host end's");
                assertEquals(m.eth0Mac(), mac(ifs.get(2)), impl + ": the container's");
                assertEquals("/run/netns/" + ctr, ifs.get(2).getAsJsonObject().get("sandbox").getAsString());
                assertTrue(name(ifs.get(1)).startsWith("veth"), name(ifs.get(1)));
                del(impl, ctr, version, dataDir);
                cleanUp(impl, sandbox);
            }
            Made ref = made.get(0);
            Made pb = made.get(1);
            for (String key : List.of("ips", "routes", "dns")) {
                assertEquals(ref.result().get(key), pb.result().get(key), version + " " + key);
            }
            assertEquals(names(ref.result()), names(pb.result()).replace(pbVeth(pb), pbVeth(ref)), version + " interfaces but the veth's name");
            assertEquals(ref.addresses(), pb.addresses(), version + ": the container's addresses (ip -j addr, without IPv6 link-local)");
            assertEquals(ref.routes(), pb.routes(), version + ": the container's routes (ip -j route)");
        }
    }

    @Test
    void aPublishedPortAnswersThroughEitherAndPortmapPassesTheResultOn(Sandbox sandbox) throws Exception {
        assumeTrue(Files.isExecutable(REFERENCE.resolve("portmap")), "needs the reference portmap");
        String outside = sandbox.netns("out");
        Topo.uplink(sandbox, outside);
        int port = 8080;
        try {
            publishThroughEither(sandbox, outside, port);
        } finally {
            Sandbox.exec("ip", "link", "del", "up0");
        }
    }

    private static void publishThroughEither(Sandbox sandbox, String outside, int port) throws Exception {
        for (Impl impl : Impl.values()) {
            String ctr = sandbox.netns("pm" + impl.name().toLowerCase());
            Path dataDir = Files.createTempDirectory("pb-ipam");
            Made m = add(impl, sandbox, ctr, "1.0.0", dataDir);
            Run pm = call(impl, "portmap", "ADD", "c-" + ctr, ctr, portmapConf("1.0.0", m.result(), port));
            assertEquals(0, pm.code(), impl + " portmap ADD: " + pm.out() + pm.err());
            assertEquals(m.result(), pm.json(), impl + ": portmap passes prevResult on unchanged");
            Process echo = Topo.echoServer(ctr, 80);
            try {
                assertEquals("hello " + impl, echoFrom(sandbox, outside, Topo.HOST_UPLINK_IP, port, "hello " + impl), impl + ": outside -> host:8080 -> container:80");
            } finally {
                echo.destroy();
            }
            Run pmDel = call(impl, "portmap", "DEL", "c-" + ctr, ctr, portmapConf("1.0.0", m.result(), port));
            assertEquals(0, pmDel.code(), impl + " portmap DEL: " + pmDel.out() + pmDel.err());
            assertEquals(0, call(impl, "portmap", "DEL", "c-" + ctr, ctr, portmapConf("1.0.0", m.result(), port)).code(), "again");
            del(impl, ctr, "1.0.0", dataDir);
            cleanUp(impl, sandbox);
        }
    }

    @Test
    void hostLocalOnTheSameDataDirSeesPatchbaysReservationsAndPatchbayHostLocals(Sandbox sandbox) throws Exception {
        Path dataDir = Files.createTempDirectory("pb-ipam");
        String a = sandbox.netns("hla");
        String b = sandbox.netns("hlb");
        String c = sandbox.netns("hlc");
        String conf = bridgeConf("1.0.0", dataDir);
        Made pbA = add(Impl.PB, sandbox, a, "1.0.0", dataDir);
        String pbAddress = pbA.result().getAsJsonArray("ips").get(0).getAsJsonObject().get("address").getAsString();
        String file = pbAddress.substring(0, pbAddress.indexOf('/'));
        assertEquals("c-" + a + "\r\neth0", Files.readString(dataDir.resolve("diffnet").resolve(file)).strip(), "host-local's record layout");

        Run hl = call(Impl.REF, "host-local", "ADD", "c-" + b, b, conf); // host-local reads the ipam section of the same config
        assertEquals(0, hl.code(), hl.out() + hl.err());
        String hlAddress = hl.json().getAsJsonArray("ips").get(0).getAsJsonObject().get("address").getAsString();
        assertNotEquals(pbAddress, hlAddress, "host-local does not hand out Patchbay's address");

        Made pbC = add(Impl.PB, sandbox, c, "1.0.0", dataDir);
        String pbC4 = pbC.result().getAsJsonArray("ips").get(0).getAsJsonObject().get("address").getAsString();
        assertNotEquals(hlAddress, pbC4, "nor Patchbay host-local's");
        assertNotEquals(pbAddress, pbC4);

        assertEquals(0, call(Impl.REF, "host-local", "DEL", "c-" + b, b, conf).code());
        del(Impl.PB, a, "1.0.0", dataDir);
        del(Impl.PB, c, "1.0.0", dataDir);
        try (var files = Files.list(dataDir.resolve("diffnet"))) {
            assertEquals(List.of(), files.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9.]+")).toList(), "every reservation released");
        }
        cleanUp(Impl.PB, sandbox);
    }

    static String name(JsonElement e) {
        return e.getAsJsonObject().get("name").getAsString();
    }

    static String mac(JsonElement e) {
        return e.getAsJsonObject().get("mac").getAsString();
    }

    static String pbVeth(Made m) {
        return name(m.result().getAsJsonArray("interfaces").get(1));
    }

    static String names(JsonObject result) {
        StringBuilder sb = new StringBuilder();
        for (JsonElement e : result.getAsJsonArray("interfaces")) {
            JsonObject o = e.getAsJsonObject();
            sb.append(o.get("name").getAsString()).append(o.has("sandbox") ? "@" + o.get("sandbox").getAsString().replaceAll("/run/netns/.*", "ns") : "").append(' ');
        }
        return sb.toString();
    }

    /**
     * The container's addresses on eth0: family, address, prefix length, scope. Left out: IPv6 link-local (Patchbay
     * turns IPv6 off on an IPv4-only network's interface) and the IPv4 broadcast address (the reference sets brd,
     * Patchbay's netlink backend does not: a known difference).
     */
    static TreeSet<String> kernelAddresses(Sandbox sandbox, String ctr) {
        TreeSet<String> out = new TreeSet<>();
        String json = sandbox.execIn(ctr, "ip", "-j", "addr", "show", "dev", "eth0").output();
        for (JsonElement a : JsonParser.parseString(json).getAsJsonArray().get(0).getAsJsonObject().getAsJsonArray("addr_info")) {
            JsonObject o = a.getAsJsonObject();
            if (!o.get("scope").getAsString().equals("link")) {
                out.add(o.get("family").getAsString() + " " + o.get("local").getAsString() + "/" + o.get("prefixlen").getAsInt() + " " + o.get("scope").getAsString());
            }
        }
        return out;
    }

    /** The container's routes: destination, gateway, device, scope, preferred source (IPv6 link-local routes left out). */
    static TreeSet<String> kernelRoutes(Sandbox sandbox, String ctr) {
        TreeSet<String> out = new TreeSet<>();
        for (String family : List.of("-4", "-6")) {
            String json = sandbox.execIn(ctr, "ip", "-j", family, "route", "show").output();
            for (JsonElement e : JsonParser.parseString(json.isBlank() ? "[]" : json).getAsJsonArray()) {
                JsonObject o = e.getAsJsonObject();
                String dst = o.get("dst").getAsString();
                if (dst.startsWith("fe80:")) {
                    continue;
                }
                out.add(dst + " via " + text(o, "gateway") + " dev " + text(o, "dev") + " scope " + text(o, "scope") + " src " + text(o, "prefsrc"));
            }
        }
        return out;
    }

    private static String text(JsonObject o, String key) {
        return o.has(key) ? o.get(key).getAsString() : "-";
    }

    /** One line sent to host:port from inside {@code netns}, and the line that comes back. */
    static String echoFrom(Sandbox sandbox, String netns, String host, int port, String line) {
        String py = "import socket,sys\ns=socket.create_connection((sys.argv[1],int(sys.argv[2])),timeout=5)\ns.sendall((sys.argv[3]+'\\n').encode())\n"
                + "print(s.makefile().readline().strip())\n";
        Sandbox.Result r = sandbox.execIn(netns, "python3", "-c", py, host, Integer.toString(port), line);
        return r.output().strip();
    }
}
