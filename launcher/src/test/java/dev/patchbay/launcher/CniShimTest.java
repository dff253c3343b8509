package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built CNI shim ({@code target/cni/patchbay}, from {@code src/main/c/cni-shim.c}) run as a process, for what it
 * answers by itself: no daemon, no root. Forwarding to a daemon is {@code CniShimIT}.
 */
class CniShimTest {
    static final Path SHIM = Path.of(System.getProperty("patchbay.shim", "target/cni/patchbay"));
    static final String SUPPORTED = "[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]";

    record Run(int code, String out, String err) {
        JsonObject json() {
            return JsonParser.parseString(out).getAsJsonObject();
        }
    }

    /** Runs the shim as {@code argv0} with only {@code env} (plus a run folder with no daemon) and {@code stdin}. */
    static Run shim(Path argv0, Map<String, String> env, String stdin) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(argv0.toString());
        pb.environment().clear();
        pb.environment().put("PATCHBAY_DAEMON_AUTOSTART", "off"); // unless the test says otherwise: no daemon started
        pb.environment().putAll(env);
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            // it answered without reading stdin (an error it finds in the environment): as a runtime, ignore EPIPE
        }
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the shim did not exit");
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    private static Map<String, String> env(Path runDir, String... kv) {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        env.put("PATCHBAY_RUN_DIR", runDir.toString()); // empty: were anything contacted, it would not be a daemon
        for (int i = 0; i < kv.length; i += 2) {
            env.put(kv[i], kv[i + 1]);
        }
        return env;
    }

    @Test
    void versionEchoesTheRequestsCniVersion(@TempDir Path run) throws Exception {
        // what Podman sends to every plugin of every conflist whenever it loads networks
        Run r = shim(SHIM, env(run, "CNI_COMMAND", "VERSION", "CNI_NETNS", "dummy", "CNI_IFNAME", "dummy", "CNI_PATH", "dummy",
                "CNI_CONTAINERID", "", "CNI_ARGS", ""), "{\"cniVersion\":\"0.4.0\"}");
        assertEquals(0, r.code(), r.err());
        assertEquals("{\"cniVersion\":\"0.4.0\",\"supportedVersions\":" + SUPPORTED + "}\n", r.out());
        assertEquals("", r.err());
        try (var files = Files.list(run)) {
            assertEquals(0, files.count(), "nothing made in the run folder");
        }
    }

    @Test
    void versionReadsOnlyTheTopLevelCniVersion(@TempDir Path run) throws Exception {
        String config = " { \"name\": \"n\", \"prevResult\": {\"cniVersion\": \"0.3.1\", \"ips\": [{\"address\": \"10.0.0.2/24\"}]},"
                + " \"x\": [1, -2.5e3, true, null, \"a\\\"b\"], \"cniVersion\": \"1.0.0\" }";
        assertEquals("1.0.0", shim(SHIM, env(run, "CNI_COMMAND", "VERSION"), config).json().get("cniVersion").getAsString());
        Run none = shim(SHIM, env(run, "CNI_COMMAND", "VERSION"), "");
        assertEquals(0, none.code());
        assertEquals("1.0.0", none.json().get("cniVersion").getAsString(), "no input: 1.0.0");
        assertEquals(JsonParser.parseString(SUPPORTED), none.json().get("supportedVersions"));
    }

    @Test
    void missingCniCommandIsError4(@TempDir Path run) throws Exception {
        Run r = shim(SHIM, env(run), "{\"cniVersion\":\"0.4.0\"}");
        assertNotEquals(0, r.code());
        JsonObject e = r.json();
        assertEquals(4, e.get("code").getAsInt(), r.out());
        assertTrue(e.get("msg").getAsString().contains("CNI_COMMAND"), r.out());
        assertTrue(e.has("cniVersion"), r.out());
        Run empty = shim(SHIM, env(run, "CNI_COMMAND", ""), "");
        assertEquals(4, empty.json().get("code").getAsInt(), empty.out());
    }

    @Test
    void unknownVerbIsError4NamingIt(@TempDir Path run) throws Exception {
        Run r = shim(SHIM, env(run, "CNI_COMMAND", "FROB\"\n"), "{}");
        assertNotEquals(0, r.code());
        JsonObject e = r.json(); // quote and newline escaped
        assertEquals(4, e.get("code").getAsInt(), r.out());
        assertTrue(e.get("msg").getAsString().contains("FROB\"\n"), r.out());
        try (var files = Files.list(run)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void answersUnderEveryNameAsItself(@TempDir Path dir) throws Exception {
        Path bridge = dir.resolve("bridge");
        Files.createSymbolicLink(bridge, SHIM.toAbsolutePath());
        try {
            Run r = shim(bridge, env(dir, "CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"0.3.1\"}");
            assertEquals(0, r.code());
            assertEquals("0.3.1", r.json().get("cniVersion").getAsString());
        } finally {
            Files.delete(bridge);
        }
    }
}
