package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.testing.Sandbox;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@link OverlayIT}'s ways of looking: etcd's members and keys, a CNI call through a node's daemon, a VXLAN device's MAC and counters, a TCP peer's address. */
final class OverlayProbes {
    static final String CLUSTER = OverlayIT.CLUSTER;

    private OverlayProbes() {
    }

    /** Member {@code m} of the three, its data in a folder of its own (kept when it is started again). */
    static Process etcd(String sw, Path dir, int m) throws java.io.IOException {
        String ip = "http://192.168.78.25" + m;
        return new ProcessBuilder("ip", "netns", "exec", sw, "etcd", "--name", "m" + m, "--data-dir", dir.resolve("m" + m).toString(),
                "--listen-client-urls", ip + ":2379", "--advertise-client-urls", ip + ":2379", "--listen-peer-urls", ip + ":2380",
                "--initial-advertise-peer-urls", ip + ":2380", "--initial-cluster", CLUSTER, "--initial-cluster-token", "overlay-it",
                "--log-level", "error")
                .redirectErrorStream(true).redirectOutput(java.lang.ProcessBuilder.Redirect.appendTo(dir.resolve("log").toFile())).start();
    }

    /** Every key in etcd as a Python list's text (asked of member 1), or null while it does not answer. */
    static String etcdKeys(Sandbox sandbox, String sw) {
        Sandbox.Result r = sandbox.execIn(sw, "python3", "-c", "import json,urllib.request,base64\n"
                + "b=lambda s: base64.b64encode(s).decode()\n"
                + "r=urllib.request.urlopen(urllib.request.Request('http://192.168.78.251:2379/v3/kv/range',"
                + " data=json.dumps({'key': b(b'/'), 'range_end': b(b'0'), 'keys_only': True}).encode()), timeout=2)\n"
                + "print([base64.b64decode(k['key']).decode() for k in json.load(r).get('kvs', [])])");
        return r.code() == 0 ? r.output().strip() : null;
    }

    /** One CNI call through node {@code netns}'s daemon (the distribution's {@code cni/overlay}); its stdout, the call having succeeded. */
    static String cni(String netns, Path state, Path run, String verb, String container, String conf) throws Exception {
        Map.Entry<Integer, String> r = cniCall(netns, state, run, verb, container, conf);
        assertEquals(0, r.getKey(), "CNI " + verb + ": " + r.getValue());
        return r.getValue().strip();
    }

    /** One CNI call as {@link #cni}, failing or not: its exit code and its stdout (then its stderr when it failed). */
    static Map.Entry<Integer, String> cniCall(String netns, Path state, Path run, String verb, String container, String conf) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", netns, Cli.DIST.resolve("cni/overlay").toAbsolutePath().toString());
        pb.environment().putAll(Map.of("CNI_COMMAND", verb, "CNI_CONTAINERID", "cni-c1", "CNI_NETNS", "/run/netns/" + container,
                "CNI_IFNAME", "eth0", "CNI_PATH", Cli.DIST.resolve("cni").toAbsolutePath().toString(),
                "PATCHBAY_STATE_DIR", state.toString(), "PATCHBAY_RUN_DIR", run.toString()));
        Process p = pb.redirectError(ProcessBuilder.Redirect.PIPE).start();
        try (var in = p.getOutputStream()) {
            in.write(conf.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + out);
        return Map.entry(p.exitValue(), p.exitValue() == 0 ? out : out + err);
    }

    static String vtepMac(Sandbox sandbox, String ns) {
        Matcher m = Pattern.compile("link/ether ([0-9a-f:]{17})").matcher(sandbox.execIn(ns, "ip", "link", "show", "pbx-ov").output());
        assertTrue(m.find(), "pbx-ov's MAC");
        return m.group(1);
    }

    /** Packets received by {@code ns}'s VXLAN device. */
    static long rxPackets(Sandbox sandbox, String ns) {
        Matcher m = Pattern.compile("\"rx\":\\{\"bytes\":\\d+,\"packets\":(\\d+)").matcher(
                sandbox.execIn(ns, "ip", "-j", "-s", "link", "show", "pbx-ov").output());
        assertTrue(m.find(), "pbx-ov's counters");
        return Long.parseLong(m.group(1));
    }

    /** The address a TCP server in {@code serverNs} sees a connection from {@code clientNs} come from. */
    static String tcpSource(Sandbox sandbox, String serverNs, String serverIp, String clientNs) throws Exception {
        Process server = new ProcessBuilder("ip", "netns", "exec", serverNs, "timeout", "20", "python3", "-c",
                "import socket\ns=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                        + "s.bind(('0.0.0.0', 7777)); s.listen(1); print('ready', flush=True)\nc,a=s.accept(); print(a[0], flush=True); c.close()")
                .redirectErrorStream(true).start();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(server.getInputStream()))) {
            assertEquals("ready", out.readLine());
            assertEquals(0, sandbox.execIn(clientNs, "python3", "-c",
                    "import socket; socket.create_connection(('" + serverIp + "', 7777), timeout=5).close()").code());
            return out.readLine();
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
