package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import dev.patchbay.launcher.CniShimTest.Run;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The distribution's {@code cni/<type>} shim against a daemon: the real one (a forwarded call comes back as the
 * daemon's answer: the CNI handler's error for a chained plugin with no prevResult), a fake one in this JVM (the
 * frame's content, byte for byte, both ways), sockets it must not trust, and the cold path with no daemon.
 */
@NetnsTest
class CniShimIT {
    private static final String CONFIG = "{\"cniVersion\":\"0.4.0\",\"name\":\"web\",\"type\":\"bridge\",\"bridge\":\"pb0\"}";
    /** What the CNI handler answers without touching any network: a chained plugin's ADD with no prevResult is code 7. */
    private static final String CHAINED = "{\"cniVersion\":\"0.4.0\",\"name\":\"web\",\"type\":\"tuning\"}";

    private static Map<String, String> cniEnv(Path runDir, Path stateDir, String verb) {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", verb);
        env.put("CNI_CONTAINERID", "0123456789abcdef");
        env.put("CNI_NETNS", "/run/netns/netns-0000");
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", Cli.DIST.resolve("cni") + ":/usr/lib/cni");
        env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAME=c1");
        env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"); // like Podman's cleanup DEL: no JAVA_HOME
        env.put("HOME", "/root");
        env.put("PATCHBAY_RUN_DIR", runDir.toString());
        env.put("PATCHBAY_STATE_DIR", stateDir.toString());
        env.put("PATCHBAY_DAEMON_AUTOSTART", "off"); // the cold path: no daemon starts (AutostartIT: one does)
        return env;
    }

    private static Path socketIn(Path runDir) {
        return runDir.resolve(DaemonSocket.path().getFileName()); // net-INODE.sock of this namespace
    }

    @Test
    void forwardsACallToTheDaemonAndBack(Sandbox sandbox) throws Exception {
        Path state = Files.createTempDirectory("pb-state");
        Path run = Files.createTempDirectory("pb-run");
        Process daemon = new Cli(state, run).startDaemon(Map.of("PATCHBAY_STATE_DIR", state.toString()));
        try {
            Run r = CniShimTest.shim(Cli.DIST.resolve("cni/bridge"), cniEnv(run, state, "ADD"), CHAINED);
            assertNotEquals(0, r.code(), r.out() + r.err());
            JsonObject e = r.json();
            assertEquals("0.4.0", e.get("cniVersion").getAsString(), r.out());
            assertEquals(7, e.get("code").getAsInt(), r.out()); // the CNI handler's answer: invalid network configuration
            assertTrue(e.get("msg").getAsString().startsWith("prevResult: is required"), r.out());
            assertTrue(r.err().contains("prevResult: is required"), "the daemon's stderr is copied back: " + r.err());

            Path stdin = Files.createTempFile("pb-cni-stdin", ".json");
            Files.writeString(stdin, CHAINED);
            double version = medianMs(Cli.DIST.resolve("cni/bridge"), cniEnv(run, state, "VERSION"), stdin);
            double forwarded = medianMs(Cli.DIST.resolve("cni/bridge"), cniEnv(run, state, "DEL"), stdin);
            String line = String.format("CNI shim, whole processes (start to exit, median of %d): VERSION %.2f ms, "
                    + "DEL forwarded to the daemon and answered %.2f ms", RUNS, version, forwarded);
            System.out.println(line);
            Files.writeString(Cli.DIST.getParent().resolve("cni-shim-timings.txt"), line + "\n");
            Files.delete(stdin);
        } finally {
            daemon.destroy();
            assertTrue(daemon.waitFor(60, TimeUnit.SECONDS));
        }
        // the daemon is gone (its socket too): the shim execs bin/patchbay, which finds java with no JAVA_HOME
        Map<String, String> timed = cniEnv(run, state, "ADD");
        timed.put("PATCHBAY_TIMING", "1");
        Run cold = CniShimTest.shim(Cli.DIST.resolve("cni/portmap"), timed, CHAINED);
        assertNotEquals(0, cold.code(), cold.out() + cold.err());
        assertEquals(7, cold.json().get("code").getAsInt(), cold.out() + cold.err());
        assertTrue(cold.json().get("msg").getAsString().startsWith("prevResult: is required"), cold.out());
        // the CNI handler service took the call itself: no picocli command line was built (the "cli" step)
        assertTrue(cold.err().contains("patchbay timing:") && !cold.err().contains(", cli "), cold.err());
    }

    private static final int RUNS = 50;

    private static double medianMs(Path argv0, Map<String, String> env, Path stdin) throws Exception {
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < RUNS + 5; i++) {
            ProcessBuilder pb = new ProcessBuilder(argv0.toString()).redirectInput(stdin.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().clear();
            pb.environment().putAll(env);
            long t0 = System.nanoTime();
            Process p = pb.start();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            long t1 = System.nanoTime();
            if (i >= 5) { // the first calls warm up the daemon's request path
                ms.add((t1 - t0) / 1e6);
            }
        }
        Collections.sort(ms);
        return ms.get(ms.size() / 2);
    }

    @Test
    void theFrameCarriesTypeEnvironmentAndStdinAndTheReplyComesBackExactly(Sandbox sandbox) throws Exception {
        Path run = Files.createTempDirectory("pb-run");
        Path sock = socketIn(run);
        String stdin = "{\"cniVersion\":\"1.0.0\",\"name\":\"caf\u00e9\",\"type\":\"tuning\"}\n";
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            CompletableFuture<DaemonSocket.Call> received = Within.async(() -> {
                try (SocketChannel c = server.accept()) {
                    DaemonSocket.Call call = DaemonSocket.readCall(new DataInputStream(Channels.newInputStream(c)));
                    DaemonSocket.writeV3(new DataOutputStream(Channels.newOutputStream(c)),
                            new DaemonSocket.Reply(7, "{\"result\":\"\u00fc\"}\n", "log line\n"));
                    return call;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Path tuning = Files.createTempDirectory("pb-cni").resolve("tuning");
            Files.createSymbolicLink(tuning, Cli.DIST.resolve("cni/patchbay").toAbsolutePath());
            Map<String, String> env = cniEnv(run, run, "CHECK");
            env.put("SOMETHING_ELSE", "a=b=c");
            Run r = CniShimTest.shim(tuning, env, stdin);
            assertEquals(7, r.code(), r.out() + r.err());
            assertEquals("{\"result\":\"\u00fc\"}\n", r.out());
            assertEquals("log line\n", r.err());
            DaemonSocket.CniCall call = (DaemonSocket.CniCall) received.get(30, TimeUnit.SECONDS);
            assertEquals(DaemonSocket.currentNetns(), call.netns());
            assertEquals("tuning", call.type(), "argv[0]'s name: the type the runtime ran");
            assertEquals(env, call.env(), "the whole environment");
            assertArrayEquals(stdin.getBytes(StandardCharsets.UTF_8), call.stdin());
            Files.delete(tuning);
            Files.delete(tuning.getParent());
        } finally {
            Files.deleteIfExists(sock);
        }
    }

    @Test
    void aSocketNotOwnedByRootIsRefused(Sandbox sandbox) throws Exception {
        Path run = Files.createTempDirectory("pb-run");
        Path sock = socketIn(run);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            server.configureBlocking(false);
            Files.setAttribute(sock, "unix:uid", 65534);
            Run r = CniShimTest.shim(Cli.DIST.resolve("cni/bridge"), cniEnv(run, run, "ADD"), CONFIG);
            assertRefused(r, "not a socket owned by root (uid 65534)");
            assertNull(server.accept(), "the shim did not even connect");

            Files.setAttribute(sock, "unix:uid", 0);
            Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxrwxrwx"));
            assertRefused(CniShimTest.shim(Cli.DIST.resolve("cni/bridge"), cniEnv(run, run, "ADD"), CONFIG), "is not root's alone");
            assertNull(server.accept(), "nor into a folder others can write");
        } finally {
            Files.deleteIfExists(sock);
        }
    }

    /** A root-owned socket file in a root-only folder, but served by a process that is not root's: SO_PEERCRED. */
    @Test
    void aServerThatIsNotRootIsRefused(Sandbox sandbox) throws Exception {
        Path python = Path.of("/usr/bin/python3");
        assumeTrue(Files.isExecutable(python) && Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs python3 and setpriv");
        // nobody's listener binds in a folder it can reach from anywhere: not under the test JVM's /tmp (root's alone in
        // the sandbox, and so is a checkout under /tmp, bound into it), nor under the checkout (whose parents may be closed)
        Path run = Files.createTempDirectory(Path.of("/dev/shm"), "pb-cni-peer");
        Path sock = socketIn(run);
        Files.setAttribute(run, "unix:uid", 65534);
        Process nobody = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", python.toString(), "-c",
                "import socket,sys,time\ns=socket.socket(socket.AF_UNIX)\ns.bind(sys.argv[1])\ns.listen(8)\nprint('ready',flush=True)\ntime.sleep(120)",
                sock.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String ready = new BufferedReader(new InputStreamReader(nobody.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertEquals("ready", ready);
            Files.setAttribute(sock, "unix:uid", 0);
            Files.setAttribute(run, "unix:uid", 0);
            Run r = CniShimTest.shim(Cli.DIST.resolve("cni/bridge"), cniEnv(run, run, "ADD"), CONFIG);
            assertRefused(r, "is not root's (uid 65534)");
        } finally {
            nobody.destroyForcibly();
            nobody.waitFor(30, TimeUnit.SECONDS);
            try (Stream<Path> files = Files.walk(run)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    private static void assertRefused(Run r, String why) {
        assertNotEquals(0, r.code(), r.out());
        JsonObject e = r.json();
        assertEquals(103, e.get("code").getAsInt(), r.out());
        assertTrue(e.get("details").getAsString().contains(why), r.out());
    }
}
