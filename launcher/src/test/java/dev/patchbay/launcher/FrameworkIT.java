package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Boots the real Felix with every real bundle of the built distribution, and runs the real
 * {@code bin/patchbay}: this is where the bundles' wiring (jnr-ffi included) is proven.
 */
class FrameworkIT {
    private static final Path DIST = Path.of(System.getProperty("patchbay.dist", "target/patchbay"));

    @Test
    void everyBundleResolvesAndStarts() throws Exception {
        StringWriter log = new StringWriter();
        try (FelixBoot boot = FelixBoot.start(DIST.resolve("bundles"), new PrintWriter(log, true), false)) {
            assertEquals(List.of(), boot.problems(), log.toString());
            List<String> notActive = new ArrayList<>();
            for (Bundle b : boot.context().getBundles()) {
                boolean fragment = b.getHeaders().get(Constants.FRAGMENT_HOST) != null;
                int want = fragment ? Bundle.RESOLVED : Bundle.ACTIVE;
                if (b.getState() != want) {
                    notActive.add(b.getSymbolicName() + " state " + b.getState());
                }
            }
            assertEquals(List.of(), notActive);
            java.util.Set<String> ours = Stream.of(boot.context().getBundles()).map(Bundle::getSymbolicName)
                    .filter(n -> n.startsWith("dev.patchbay.")).collect(java.util.stream.Collectors.toSet());
            assertEquals(dev.patchbay.host.plugins.Providers.OWN, ours, "every bundle of the distribution is loaded, and no other of Patchbay's names");
            assertTrue(Stream.of(boot.context().getBundles()).anyMatch(b -> b.getSymbolicName().equals("dev.patchbay.sys")),
                    "the JNI library's own bundle is loaded");
            var cni = boot.context().getServiceReference(dev.patchbay.host.cni.CniHandler.class);
            assertNotNull(cni, "a bundle serves CNI calls through the host API's dev.patchbay.host.cni");
            assertEquals(CNI_BUNDLE, cni.getBundle().getSymbolicName());
            assertTrue(log.toString().isEmpty(), "no framework errors: " + log);
        }
    }

    /** The bundle that serves CNI calls. */
    static final String CNI_BUNDLE = "dev.patchbay.cni";

    /**
     * The launcher holds the CNI handler from one call to the next and lets go of it when its bundle stops: a call then
     * is CNI error 103 naming the missing handler, and once the bundle starts again its new handler serves.
     */
    @Test
    void theCniHandlerIsHeldUntilItsBundleStops() throws Exception {
        try (FelixBoot boot = FelixBoot.start(DIST.resolve("bundles"), new PrintWriter(new StringWriter(), true), false);
                CniHandlers handlers = new CniHandlers(boot.context())) {
            java.util.Map<String, String> env = java.util.Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "c1",
                    "CNI_NETNS", "/proc/self/ns/net", "CNI_IFNAME", "eth0", "CNI_PATH", "/nonexistent");
            DaemonSocket.CniCall chained = new DaemonSocket.CniCall("net:[1]", "tuning", env,
                    "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"tuning\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(7, cniCode(handlers.serve(chained, () -> false)), "the handler's own answer: prevResult is required");
            Bundle cni = Stream.of(boot.context().getBundles()).filter(b -> CNI_BUNDLE.equals(b.getSymbolicName())).findFirst().orElseThrow();
            cni.stop();
            DaemonSocket.Reply none = handlers.serve(chained, () -> false);
            assertEquals(3, none.code(), none.err());
            assertEquals(103, cniCode(none));
            assertTrue(none.err().startsWith("patchbay: no started bundle serves CNI calls"), none.err());
            cni.start();
            long deadline = System.nanoTime() + 30_000_000_000L;
            DaemonSocket.Reply again = handlers.serve(chained, () -> false);
            while (again.code() == 3 && System.nanoTime() < deadline) {
                Thread.sleep(50);
                again = handlers.serve(chained, () -> false);
            }
            assertEquals(7, cniCode(again), again.out() + again.err());
        }
    }

    private static int cniCode(DaemonSocket.Reply reply) {
        return JsonParser.parseString(reply.out()).getAsJsonObject().get("code").getAsInt();
    }

    /**
     * A backend goes by deleting its jar: without netlink-backend's, the other bundles still resolve and start, the
     * nftables backend and IPAM included (they import the C calls from dev.patchbay.sys, a bundle of its own).
     */
    @Test
    void withoutTheNetlinkBackendTheOthersStillStart(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        try (Stream<Path> jars = Files.list(DIST.resolve("bundles"))) {
            for (Path jar : jars.filter(j -> !j.getFileName().toString().startsWith("netlink-backend-")).toList()) {
                Files.copy(jar, dir.resolve(jar.getFileName()));
            }
        }
        try (FelixBoot boot = FelixBoot.start(dir, new PrintWriter(new StringWriter(), true), false)) {
            assertEquals(List.of(), boot.problems());
            List<String> started = Stream.of(boot.context().getBundles()).filter(b -> b.getState() == Bundle.ACTIVE)
                    .map(Bundle::getSymbolicName).toList();
            for (String b : List.of("dev.patchbay.sys", "dev.patchbay.firewall.nftables", "dev.patchbay.plugin.ipam")) {
                assertTrue(started.contains(b), b + " starts without the netlink backend: " + started);
            }
            assertTrue(!started.contains("dev.patchbay.netlink"), "the netlink backend is gone");
        }
    }

    /**
     * The orchestrator's state warm-up (a thread its network manager starts on activation) ends with its component: a
     * framework stopped right after the activation leaves no such thread behind, and none dies with a stack trace (it
     * did: NoClassDefFoundError from a warm-up that outlived its bundle's wiring).
     */
    @Test
    void theStateWarmUpEndsWithItsBundle() throws Exception {
        List<String> died = new ArrayList<>();
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            synchronized (died) {
                died.add(t.getName() + ": " + e);
            }
        });
        try {
            for (int i = 0; i < 3; i++) {
                try (FelixBoot boot = FelixBoot.start(DIST.resolve("bundles"), new PrintWriter(new StringWriter(), true), false)) {
                    ServiceTracker<Object, Object> manager = new ServiceTracker<>(boot.context(),
                            boot.context().createFilter("(objectClass=dev.patchbay.orchestrator.network.NetworkManager)"), null);
                    manager.open(true);
                    assertNotNull(manager.waitForService(30_000), "the network manager is registered and activates");
                    manager.close();
                }
                List<String> alive = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                        .map(Thread::getName).filter("patchbay-state-warm-up"::equals).toList();
                assertEquals(List.of(), alive, "run " + i + ": a warm-up outlived its framework");
            }
            Thread.sleep(200); // a warm-up that outlived its wiring would fail within this
            synchronized (died) {
                assertEquals(List.of(), died);
            }
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(before);
        }
    }

    @Test
    void everyPatchbayJarIsABundleWithAName() throws Exception {
        try (Stream<Path> jars = Files.list(DIST.resolve("bundles"))) {
            for (Path jar : jars.filter(p -> p.getFileName().toString().endsWith(".jar")).toList()) {
                try (JarFile jf = new JarFile(jar.toFile())) {
                    assertNotNull(jf.getManifest().getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME), jar + " has no Bundle-SymbolicName");
                }
            }
        }
    }

    @Test
    void helpListsCommandsContributedByBundles() {
        Run r = patchbay("--help");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("Commands:"), r.out);
        assertTrue(r.out.contains("plugins"), r.out);
    }

    @Test
    void subcommandHelpExitsZero() {
        Run r = patchbay("plugins", "ls", "--help");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("Usage: patchbay plugins ls"), r.out);
    }

    @Test
    void badFlagIsAUsageError() {
        Run r = patchbay("--no-such-flag");
        assertEquals(2, r.code);
        assertTrue(r.err.startsWith("patchbay: Unknown option: '--no-such-flag'"), r.err);
        assertEquals("", r.out);
    }

    @Test
    void missingCommandIsAUsageError() {
        Run r = patchbay();
        assertEquals(2, r.code);
        assertTrue(r.err.contains("a command is required"), r.err);
    }

    @Test
    void jsonOutputIsOneDocumentOnStdout() {
        for (String[] argv : new String[][] {{"-o", "json", "plugins", "ls"}, {"plugins", "ls", "-o", "json"}}) {
            Run r = patchbay(argv);
            assertEquals(0, r.code, r.err);
            JsonElement doc = JsonParser.parseString(r.out);
            JsonArray bundles = doc.getAsJsonArray();
            assertTrue(bundles.size() >= 12, r.out);
            java.util.Map<String, String> provides = new java.util.HashMap<>();
            for (JsonElement b : bundles) {
                provides.put(b.getAsJsonObject().get("symbolicName").getAsString(), b.getAsJsonObject().get("provides").toString());
            }
            assertTrue(provides.get("dev.patchbay.orchestrator").contains("{\"kind\":\"command\",\"name\":\"network\"}"), r.out);
            assertTrue(provides.get("dev.patchbay.doctor").contains("{\"kind\":\"command\",\"name\":\"doctor\"}"), r.out);
        }
    }

    @Test
    void versionPrintsTheLauncherVersion() {
        Run r = patchbay("--version");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.startsWith("patchbay "), r.out);
    }

    @Test
    void versionCommandNamesTheCommitAndEachSpiPackage() {
        Run r = patchbay("version", "-o", "json");
        assertEquals(0, r.code, r.err);
        com.google.gson.JsonObject v = com.google.gson.JsonParser.parseString(r.out).getAsJsonObject();
        assertTrue(v.get("version").getAsString().startsWith("0."), r.out);
        assertTrue(v.get("commit").getAsString().matches("[0-9a-f]{40}|unknown"), r.out);
        com.google.gson.JsonObject spi = v.getAsJsonObject("spi");
        assertTrue(spi.has("dev.patchbay.core.spi") && spi.has("dev.patchbay.core.network"), r.out);
        assertTrue(spi.get("dev.patchbay.core.spi").getAsString().matches("\\d+\\.\\d+\\.\\d+"), r.out);
        Run text = patchbay("version");
        assertTrue(text.out.startsWith("patchbay ") && text.out.contains("\nspi      dev.patchbay.core."), text.out);
    }

    record Run(int code, String out, String err) {
    }

    static Run patchbay(String... args) {
        try {
            List<String> argv = new ArrayList<>(List.of(DIST.resolve("bin/patchbay").toString()));
            argv.addAll(List.of(args));
            Path out = Files.createTempFile("pb-out", ".txt");
            Path err = Files.createTempFile("pb-err", ".txt");
            Process p = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            int code = p.waitFor();
            Run r = new Run(code, Files.readString(out), Files.readString(err));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * No two of Patchbay's components hold each other through bound references, directly or through others: SCR closes
     * such a cycle only with a late bind, on a thread of its own, so a one-shot run could meet one of them with a
     * reference not yet bound (a reference of the lookup strategy, looked up when used, breaks a cycle).
     */
    @Test
    void noComponentsHoldEachOtherInACycle() throws Exception {
        try (FelixBoot boot = FelixBoot.start(DIST.resolve("bundles"), new PrintWriter(new StringWriter(), true), false)) {
            var ref = boot.context().getAllServiceReferences(ScrComponents.SCR, null)[0]; // all: its API is not on our class path
            Object scr = boot.context().getService(ref);
            Class<?> api = scr.getClass().getClassLoader().loadClass(ScrComponents.SCR);
            java.util.Collection<?> all = (java.util.Collection<?>) api.getMethod("getComponentDescriptionDTOs", Bundle[].class).invoke(scr, (Object) new Bundle[0]);
            java.util.Map<String, List<String>> providers = new java.util.HashMap<>(); // interface -> components
            java.util.Map<String, List<String>> held = new java.util.TreeMap<>(); // component -> the interfaces it binds
            for (Object c : all) {
                String bundle = (String) field(field(c, "bundle"), "symbolicName");
                if (!bundle.startsWith("dev.patchbay.")) {
                    continue;
                }
                String name = (String) field(c, "name");
                for (String i : (String[]) field(c, "serviceInterfaces")) {
                    providers.computeIfAbsent(i, k -> new ArrayList<>()).add(name);
                }
                List<String> bound = new ArrayList<>();
                for (Object r : (Object[]) field(c, "references")) {
                    if (field(r, "bind") != null || field(r, "field") != null || field(r, "parameter") != null) {
                        bound.add((String) field(r, "interfaceName"));
                    }
                }
                held.put(name, bound);
            }
            List<String> cycles = new ArrayList<>();
            for (String start : held.keySet()) {
                cycle(start, new ArrayList<>(List.of(start)), held, providers, cycles);
            }
            assertEquals(List.of(), cycles, "components that hold each other through bound references");
        }
    }

    /** Walks what {@code path}'s last component binds; a path back to its first is a cycle (each found from its smallest name). */
    private static void cycle(String start, List<String> path, java.util.Map<String, List<String>> held,
            java.util.Map<String, List<String>> providers, List<String> cycles) {
        for (String i : held.getOrDefault(path.get(path.size() - 1), List.of())) {
            for (String next : providers.getOrDefault(i, List.of())) {
                if (next.equals(start)) {
                    cycles.add(String.join(" -> ", path) + " -> " + start);
                } else if (next.compareTo(start) > 0 && !path.contains(next)) {
                    path.add(next);
                    cycle(start, path, held, providers, cycles);
                    path.remove(path.size() - 1);
                }
            }
        }
    }

    private static Object field(Object dto, String name) throws ReflectiveOperationException {
        return dto.getClass().getField(name).get(dto);
    }
}
