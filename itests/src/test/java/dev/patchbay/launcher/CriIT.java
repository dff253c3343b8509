package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.harness.Cri;
import dev.patchbay.harness.Holder;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 26, "a Kubernetes node": containerd 1.6's CRI plugin drives Patchbay's {@code cni/} as kubelet does, through
 * a CRI client of the project's own ({@link Cri}: Debian's containerd and runc in a throwaway holder, busybox-static
 * as the sandbox image, the client {@code cri.py} on Debian's python3-grpcio). One containerd for all cases, its
 * bin_dir Patchbay's executables plus the reference's {@code loopback} and {@code host-local}, the conflist
 * {@code bridge} (host-local) + {@code portmap} ({@code capabilities.portMappings}): two pods and their addresses
 * (PodSandboxStatus and eth0) reach each other; a pod with a TCP hostPort (a container's httpd, CreateContainer +
 * StartContainer) and a UDP one answers from the host namespace (gateway address and 127.0.0.1), from another pod
 * and from itself (hairpin); Stop + Remove (containerd's second DEL, CNI_NETNS empty, answered) leave no link,
 * reservation, rule, netns or record; the gateway's MAC does not move while pods come and go. The daemon killed -9
 * while a RunPodSandbox's ADD is in flight: the pod fails cleanly or comes up whole, and nothing is left. Then the node's pod
 * CIDR: the conflist removed, containerd's {@code conf_template} ({@code examples/k8s/10-patchbay.conflist.tmpl})
 * with {@code {{.PodCIDR}}} renders a new one on UpdateRuntimeConfig and a pod gets an address of that CIDR; the template's
 * {@code bandwidth} ({@code capabilities.bandwidth}) shapes that pod as its {@code kubernetes.io/ingress-bandwidth} and
 * {@code egress-bandwidth} annotations ask (a tbf on its host veth, another on an ifb; a TCP transfer each way held to the
 * rate within 20% once containerd's burst of 2^32-1 bits is spent: {@link ShapedTransfer}), and its removal leaves no ifb.
 */
@NetnsTest
class CriIT {
    static final Path CNI = Cli.DIST.resolve("cni").toAbsolutePath();
    static final Path REFERENCE = Path.of("/usr/lib/cni");
    static final Path TEMPLATE = Path.of("../examples/k8s/10-patchbay.conflist.tmpl");
    static final String NET = "pbk8s";
    static final String BRIDGE = "cni-pb0";
    static final String GW = "10.88.40.1";
    static final String POD_CIDR = "10.88.64.0/24";
    static final String PAGE = PodmanIT.PAGE;
    static final byte[] GET = "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    static final String UDP_ECHO = "import socket, sys\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            + "s.bind(('0.0.0.0', int(sys.argv[1])))\nwhile True:\n    d, a = s.recvfrom(512)\n    s.sendto(b'echo ' + d, a)\n";
    static final String UDP_ASK = "import socket, sys\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.settimeout(0.5)\n"
            + "for i in range(20):\n    s.sendto(b'ping', (sys.argv[1], int(sys.argv[2])))\n    try:\n"
            + "        print(s.recvfrom(512)[0].decode())\n        sys.exit(0)\n    except socket.timeout:\n        pass\nsys.exit(1)\n";

    private Cri cri;
    private CriPods pods;
    private Path daemonLog;
    private Process daemon;
    private final List<String> report = new ArrayList<>();

    static String conflist() {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"" + NET + "\",\"plugins\":["
                + "{\"type\":\"bridge\",\"bridge\":\"" + BRIDGE + "\",\"isGateway\":true,\"ipMasq\":true,\"hairpinMode\":true,"
                + "\"ipam\":{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"10.88.40.0/24\",\"gateway\":\"" + GW + "\"}]],"
                + "\"routes\":[{\"dst\":\"0.0.0.0/0\"}]}},"
                + "{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true}}]}";
    }

    /** The bin_dir: Patchbay's types, the reference's for the rest (containerd 1.6 takes one folder). */
    static Map<String, Path> executables() {
        Map<String, Path> bin = new LinkedHashMap<>();
        for (String t : List.of("bridge", "portmap", "firewall", "tuning", "bandwidth")) {
            bin.put(t, CNI.resolve(t));
        }
        for (String t : List.of("loopback", "host-local")) {
            bin.put(t, REFERENCE.resolve(t));
        }
        return bin;
    }

    @Test
    void containerdCriDrivesPatchbay(Sandbox sandbox) throws Exception {
        String missing = Cri.missing();
        if (missing != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CriIT: containerd's CRI cannot run in CI: " + missing);
            }
            Assumptions.abort("CriIT skipped: " + missing);
        }
        Path base = Files.createTempDirectory("pb-cri");
        daemonLog = Files.createTempFile("pb-cri-daemon", ".log");
        long t0 = System.nanoTime();
        try (Cri c = new Cri(base, executables(), Files.readString(TEMPLATE))) {
            cri = c;
            pods = new CriPods(c);
            daemon = c.holder().startDaemon(Cli.DIST, daemonLog);
            note("set-up (holder, containerd with CRI, image import, Patchbay's daemon): %.1f s", (System.nanoTime() - t0) / 1e9);
            try {
                pods();
                daemonKilled();
                podCidr();
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(e.getMessage() + "\n--- daemon log (tail):\n" + tail(daemonLog.toString())
                        + "\n--- containerd log (tail):\n" + tailText(c.log()), e);
            }
        } finally {
            cri = null;
            Files.deleteIfExists(daemonLog);
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target/cri-it.txt"), String.join("\n", report) + "\n");
        }
        note("whole test: %.1f s", (System.nanoTime() - t0) / 1e9);
    }

    private void pods() throws Exception {
        JsonObject version = pods.ok(CriPods.req("Version"));
        note("CRI: %s %s (API %s)", version.get("runtimeName").getAsString(), version.get("runtimeVersion").getAsString(),
                version.get("runtimeApiVersion").getAsString());
        Files.writeString(cri.confDir().resolve("10-" + NET + ".conflist"), conflist());
        pods.awaitNetworkReady(true);

        // two pods, their addresses in PodSandboxStatus and on eth0; they reach each other and the gateway
        String p1 = runPod("p1", List.of());
        String mac = gatewayMac();
        String p2 = runPod("p2", List.of());
        String ip1 = pods.podIp(p1);
        String ip2 = pods.podIp(p2);
        assertTrue(ip1.startsWith("10.88.40.") && ip2.startsWith("10.88.40.") && !ip1.equals(ip2), ip1 + " " + ip2);
        long pid1 = cri.pausePid(p1);
        long pid2 = cri.pausePid(p2);
        assertEth0(pid1, ip1);
        assertEth0(pid2, ip2);
        cri.inPod(pid1, null, "ping", "-c", "1", "-W", "2", ip2).ok("p1 -> p2");
        cri.inPod(pid2, null, "ping", "-c", "1", "-W", "2", GW).ok("p2 -> gateway");
        assertEquals(mac, gatewayMac(), "the gateway's MAC moved when p2 joined");
        String ls = patchbayLs();
        assertTrue(ls.contains(ip1) && ls.contains(ip2), "Patchbay records both pods: " + ls);
        List<String> held = reservations();
        assertTrue(held.stream().anyMatch(f -> f.endsWith("/" + ip1)) && held.stream().anyMatch(f -> f.endsWith("/" + ip2)),
                "p1's and p2's addresses are reserved where the checks look: " + held);
        note("p1 %s and p2 %s: PodSandboxStatus and eth0 agree, they ping each other and the gateway (MAC %s)", ip1, ip2, mac);

        // a pod with hostPorts: TCP 8080 -> 80 (a container's httpd), UDP 9053 -> 53 (an echo in its namespace), and
        // TCP 8081 -> 80 on the gateway's address alone (host_ip given)
        JsonArray ports = new JsonArray();
        ports.add(CriPods.port("tcp", 80, 8080));
        ports.add(CriPods.port("udp", 53, 9053));
        ports.add(CriPods.port("tcp", 80, 8081, GW));
        String web = runPod("web", List.of(ports));
        String ipWeb = pods.podIp(web);
        long pidWeb = cri.pausePid(web);
        pods.startContainer(web, CriPods.podConfig("web", List.of(ports)), "httpd", List.of("/bin/httpd", "-f", "-p", "80", "-h", "/var/www"));
        Process echo = startUdpEcho(pidWeb, 53);
        try {
            PodmanIT.awaitPage("host -> " + GW + ":8080", () -> cri.holder().inWithInput(GET, "/bin/busybox", "nc", "-w", "3", GW, "8080"));
            PodmanIT.expectPage("host -> 127.0.0.1:8080", cri.holder().inWithInput(GET, "/bin/busybox", "nc", "-w", "3", "127.0.0.1", "8080"));
            PodmanIT.expectPage("p1 -> " + GW + ":8080 (another pod)", cri.inPod(pid1, GET, "/bin/busybox", "nc", "-w", "3", GW, "8080"));
            PodmanIT.expectPage("web -> " + GW + ":8080 (itself: hairpin)", cri.inPod(pidWeb, GET, "/bin/busybox", "nc", "-w", "3", GW, "8080"));
            PodmanIT.expectPage("host -> " + GW + ":8081 (host_ip " + GW + ")", cri.holder().inWithInput(GET, "/bin/busybox", "nc", "-w", "3", GW, "8081"));
            Holder.Result other = cri.holder().inWithInput(GET, "/bin/busybox", "nc", "-w", "3", "127.0.0.1", "8081");
            assertFalse(other.out().contains(PAGE), "8081 is the gateway address's alone, not 127.0.0.1's: " + other.out());
            expectEcho("host -> " + GW + ":9053/udp", cri.holder().in("/usr/bin/python3", "-c", UDP_ASK, GW, "9053"));
            expectEcho("host -> 127.0.0.1:9053/udp", cri.holder().in("/usr/bin/python3", "-c", UDP_ASK, "127.0.0.1", "9053"));
            expectEcho("p1 -> " + GW + ":9053/udp (another pod)", cri.inPod(pid1, null, "/usr/bin/python3", "-c", UDP_ASK, GW, "9053"));
            expectEcho("web -> " + GW + ":9053/udp (hairpin)", cri.inPod(pidWeb, null, "/usr/bin/python3", "-c", UDP_ASK, GW, "9053"));
        } finally {
            echo.destroy();
        }
        ls = patchbayLs();
        assertTrue(ls.contains(ipWeb) && ls.contains("8080") && ls.contains("9053"), "Patchbay records web with its ports: " + ls);
        assertEquals(mac, gatewayMac(), "the gateway's MAC moved when web joined");
        note("web %s: hostPorts 8080/tcp (httpd in a container) and 9053/udp answer from the host (%s, 127.0.0.1), from p1"
                + " and from web itself; 8081/tcp with host_ip %s on that address alone", ipWeb, GW, GW);

        // Stop + Remove: containerd's DEL, then its second DEL (no netns); nothing is left
        for (String pod : List.of(p2, web)) {
            pods.removePod(pod);
        }
        assertEquals(mac, gatewayMac(), "the gateway's MAC moved when p2 and web left");
        pods.removePod(p1);
        assertEquals(mac, gatewayMac(), "the gateway's MAC moved when the last pod left");
        List<String> calls = cniCalls(p1);
        note("p1's CNI calls as Patchbay's daemon logged them: %s", calls);
        assertEquals(2, calls.stream().filter(c -> c.startsWith("DEL bridge ")).count(), "two DELs of p1's bridge (Stop, Remove): " + calls);
        assertTrue(calls.stream().allMatch(c -> c.contains("-> exit 0")), "every call of p1 answered: " + calls);
        assertNothingLeft(List.of(ip1, ip2, ipWeb));
        note("Stop + Remove of each pod (containerd's second DEL answered): no veth, reservation, rule (no pod address,"
                + " no 8080/9053), netns or Patchbay attachment left; the gateway's MAC stayed %s", mac);
    }

    /**
     * The daemon killed -9 while RunPodSandbox's ADD is in flight (once the pod's veth shows on the host): the pod
     * fails cleanly (containerd's DEL, with no daemon now, runs in the executable itself) or comes up whole; with the
     * daemon back, Stop + Remove leave nothing.
     */
    private void daemonKilled() throws Exception {
        Path links = cri.holder().inside("/sys/class/net");
        java.util.concurrent.CompletableFuture<String> run = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            JsonObject r = CriPods.req("RunPodSandbox");
            r.add("config", CriPods.podConfig("killed", List.of()));
            try {
                return cri.call(r.toString());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        boolean killed = false;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!run.isDone() && System.nanoTime() < deadline) {
            try (Stream<Path> l = Files.list(links)) {
                if (l.anyMatch(f -> f.getFileName().toString().startsWith("veth"))) {
                    daemon.destroyForcibly(); // SIGKILL
                    killed = true;
                    break;
                }
            }
            Thread.sleep(1);
        }
        long t0 = System.nanoTime();
        JsonObject r = JsonParser.parseString(run.get(120, java.util.concurrent.TimeUnit.SECONDS)).getAsJsonObject();
        long t1 = System.nanoTime();
        daemon.waitFor();
        try (Stream<Path> socks = Files.list(cri.holder().inside("/run/patchbay"))) { // the dead daemon's: startDaemon waits for the new one's
            for (Path f : socks.filter(f -> f.toString().endsWith(".sock")).toList()) {
                Files.delete(f);
            }
        }
        daemon = cri.holder().startDaemon(Cli.DIST, daemonLog);
        note("RunPodSandbox answered %.1f s after the kill; the daemon restarted in %.1f s", (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
        String outcome;
        if (r.get("ok").getAsBoolean()) {
            String pod = r.get("podSandboxId").getAsString();
            String ip = pods.podIp(pod);
            assertEth0(cri.pausePid(pod), ip);
            pods.removePod(pod);
            outcome = "came up whole (" + ip + "), then Stop + Remove";
        } else {
            outcome = "failed: " + r.get("error").getAsString();
        }
        assertNothingLeft(List.of());
        note("the daemon killed -9 %s RunPodSandbox's ADD: the pod %s; nothing left", killed ? "during" : "(too late) after", outcome);
    }

    /** The node's pod CIDR: no conflist, then UpdateRuntimeConfig renders containerd's conf_template. */
    private void podCidr() throws Exception {
        try (Stream<Path> files = Files.list(cri.confDir())) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        pods.awaitNetworkReady(false);
        JsonObject update = CriPods.req("UpdateRuntimeConfig");
        update.addProperty("podCidr", POD_CIDR);
        pods.ok(update);
        pods.awaitNetworkReady(true);
        List<String> rendered;
        try (Stream<Path> files = Files.list(cri.confDir())) {
            rendered = files.map(p -> p.getFileName().toString()).toList();
        }
        String conf = Files.readString(cri.confDir().resolve(rendered.get(0)));
        assertTrue(conf.contains(POD_CIDR), "the rendered conflist names " + POD_CIDR + ": " + conf);
        JsonObject run = CriPods.req("RunPodSandbox");
        JsonObject config = CriPods.podConfig("cidr", List.of());
        JsonObject annotations = new JsonObject();
        annotations.addProperty("kubernetes.io/ingress-bandwidth", "10M");
        annotations.addProperty("kubernetes.io/egress-bandwidth", "20M");
        config.add("annotations", annotations);
        run.add("config", config);
        String pod = pods.ok(run).get("podSandboxId").getAsString();
        String ip = pods.podIp(pod);
        assertTrue(ip.startsWith("10.88.64."), "a pod of " + POD_CIDR + ": " + ip);
        assertEth0(cri.pausePid(pod), ip);
        List<String> shaped = tbfs();
        assertTrue(shaped.stream().anyMatch(t -> !t.startsWith("bwp") && t.endsWith(" 1250000"))
                && shaped.stream().anyMatch(t -> t.startsWith("bwp") && t.endsWith(" 2500000")),
                "10M to the pod on its host veth, 20M from it on an ifb (bytes a second): " + shaped);
        // containerd's burst (2^32-1 bits) lets ~515 MB through at once: each transfer is measured after it (ShapedTransfer)
        ShapedTransfer.Result[] both = ShapedTransfer.bothWays(cri, cri.pausePid(pod), ip, "10.88.64.1");
        ShapedTransfer.Result in = both[0];
        ShapedTransfer.Result out = both[1];
        assertTrue(Math.abs(in.mbit() - 10) <= 10 * 0.2, "to the pod within 20% of 10 Mbit/s: " + in);
        assertTrue(Math.abs(out.mbit() - 20) <= 20 * 0.2, "from the pod within 20% of 20 Mbit/s: " + out);
        note("bandwidth: to the pod %s (10M set), from it %s (20M set)", in, out);
        pods.removePod(pod);
        assertNothingLeft(List.of(ip));
        assertEquals(List.of(), tbfs(), "shaping left");
        assertEquals("", cri.holder().in("ip", "-o", "link", "show", "type", "ifb").ok("ifb links").out().strip(), "ifb left");
        note("UpdateRuntimeConfig pod CIDR %s: containerd rendered %s from the template; a pod got %s, shaped by bandwidth"
                + " as its annotations ask (%s); removed, nothing left", POD_CIDR, rendered, ip, shaped);
    }

    /** The root tbfs of the holder's links: {@code DEV RATE} (bytes a second), from {@code tc -j qdisc show}. */
    private List<String> tbfs() {
        List<String> out = new ArrayList<>();
        for (JsonElement e : JsonParser.parseString(cri.holder().in("tc", "-j", "-raw", "qdisc", "show").ok("qdiscs").out()).getAsJsonArray()) {
            JsonObject q = e.getAsJsonObject();
            if (q.has("root") && q.get("kind").getAsString().equals("tbf")) {
                out.add(q.get("dev").getAsString() + " " + q.getAsJsonObject("options").get("rate").getAsLong());
            }
        }
        return out;
    }

    private String runPod(String name, List<JsonArray> ports) throws IOException {
        JsonObject run = CriPods.req("RunPodSandbox");
        run.add("config", CriPods.podConfig(name, ports));
        JsonObject r = pods.ok(run);
        note("RunPodSandbox %s: %.0f ms", name, r.get("ms").getAsDouble());
        return r.get("podSandboxId").getAsString();
    }

    private void assertEth0(long pid, String ip) {
        String eth0 = cri.inPod(pid, null, "ip", "-o", "-4", "addr", "show", "dev", "eth0").ok("eth0").out();
        assertTrue(eth0.contains("inet " + ip + "/"), "eth0 holds " + ip + ": " + eth0);
    }

    private String gatewayMac() {
        String link = cri.holder().in("ip", "-o", "link", "show", "dev", BRIDGE).ok(BRIDGE).out();
        int at = link.indexOf("link/ether ");
        assertTrue(at >= 0, link);
        return link.substring(at + 11, at + 28);
    }

    private Process startUdpEcho(long pid, int port) throws IOException {
        List<String> argv = cri.holder().nsenter(List.of("nsenter", "-t", Long.toString(pid), "-n", "--",
                "/usr/bin/python3", "-c", UDP_ECHO, Integer.toString(port)));
        return new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** No veth, reservation, rule naming a pod address or a hostPort, netns, or Patchbay attachment on the network. */
    private void assertNothingLeft(List<String> addresses) throws IOException {
        String veths = cri.holder().in("ip", "-o", "link", "show", "type", "veth").ok("veth links").out().strip();
        assertEquals("", veths, "veth links left");
        String rules = cri.holder().in("iptables-save").out() + cri.holder().in("ip6tables-save").out()
                + cri.holder().in("nft", "list", "ruleset").out();
        for (String a : addresses) {
            assertTrue(!rules.contains(a + "/") && !rules.contains(a + " ") && !rules.contains(a + ":") && !rules.contains(a + "\n"),
                    "a rule still names " + a + ":\n" + rules);
        }
        assertTrue(!rules.contains("8080") && !rules.contains("9053"), "a rule still names a hostPort:\n" + rules);
        assertEquals(List.of(), reservations(), "addresses reserved");
        assertEquals(List.of(), walk(cri.holder().inside("/run/netns")), "pod namespaces left");
        assertEquals(List.of(), walk(cri.holder().inside("/var/lib/cni/results")), "libcni's result cache");
        JsonElement all = JsonParser.parseString(patchbayLs());
        assertTrue(all.isJsonArray() && all.getAsJsonArray().isEmpty(), "Patchbay attachments left: " + all);
    }

    /** host-local style reservations (a file named by an address), in libcni's and Patchbay's folders. */
    private List<String> reservations() throws IOException {
        List<String> found = new ArrayList<>();
        for (String dir : List.of("/var/lib/cni/networks", "/var/lib/patchbay/ipam")) {
            found.addAll(walk(cri.holder().inside(dir)).stream().filter(f -> f.matches(".*/[0-9.]+|.*/[0-9a-f:]+:[0-9a-f:]*")).toList());
        }
        return found;
    }

    /** A pod's CNI calls in the daemon's log: {@code VERB TYPE ... -> exit N in MS ms}, in order. */
    private List<String> cniCalls(String pod) throws IOException {
        List<String> calls = new ArrayList<>();
        for (String line : Files.readAllLines(daemonLog)) {
            int at = line.indexOf(": CNI ");
            if (at >= 0 && line.contains(" container " + pod + " ")) {
                calls.add(line.substring(at + 6).replace(" container " + pod, ""));
            }
        }
        return calls;
    }

    private static List<String> walk(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(Path::toString).sorted().toList();
        }
    }

    private String patchbayLs() {
        return cri.holder().in(Cli.DIST.toAbsolutePath().resolve("bin/patchbay").toString(), "-o", "json", "ls").ok("patchbay ls").out();
    }

    private static void expectEcho(String what, Holder.Result r) {
        assertTrue(r.code() == 0 && r.out().contains("echo ping"), what + ": exit " + r.code() + ", out " + r.out() + ", err " + r.err());
    }

    private void note(String format, Object... args) {
        String s = String.format(Locale.ROOT, format, args);
        report.add(s);
        System.out.println("CriIT: " + s);
    }

    private static String tail(String file) {
        try {
            return tailText(Files.readString(Path.of(file)));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static String tailText(String text) {
        String[] lines = text.split("\n");
        return String.join("\n", java.util.Arrays.asList(lines).subList(Math.max(0, lines.length - 40), lines.length));
    }
}
