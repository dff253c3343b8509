package dev.patchbay.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonParser;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Benchmark runner (issue 12, "Speed: what a runtime pays, a whole process per call"), not a test: it asserts nothing
 * about time. Every CNI call is a whole process with a runtime's environment, through the distribution's {@code cni/}
 * (the shim, forwarding to a resident daemon) and through the reference plugins in {@code /usr/lib/cni}, side by side
 * in the same run, interleaved (A B, B A, ...), on two networks of the same configuration (the seed's bridge.conf
 * shape: isGateway, ipMasq, host-local) in the sandbox JVM's namespace (the host): VERSION, bridge ADD, DEL, the
 * bridge+portmap chain with one published port (ADD and DEL), and ADD/DEL with no daemon (the shim execs the
 * launcher). Prints medians, ratios and the targets, writes them to {@code target/bench/cni-bench.txt}. Runs
 * with {@code -Pbench} only (bench/BENCH.md); it fails only if a call fails or if it leaves something behind.
 */
@NetnsTest
class CniBenchIT {
    static final Path DIST = Path.of(System.getProperty("patchbay.dist", "target/patchbay"));
    /** Patchbay's plugin folder; {@code -Dpatchbay.bench.cni.dir=/usr/lib/cni} benches the reference against itself. */
    static final Path PB_DIR = Path.of(System.getProperty("patchbay.bench.cni.dir", DIST.resolve("cni").toString()));
    static final int N = Integer.getInteger("patchbay.bench.cni.n", 50);
    static final int N_VERSION = Integer.getInteger("patchbay.bench.cni.version.n", 100);
    static final int N_COLD = Integer.getInteger("patchbay.bench.cni.cold.n", 5);
    static final int WARMUP = Integer.getInteger("patchbay.bench.cni.warmup", 10);
    static final String PB_NET = "pbcnibench";
    static final String PB_BRIDGE = "cnibr-pb";
    static final String PB_SUBNET = "10.203.0.0/16";
    static final String REF_NET = "refcnibench";
    static final String REF_BRIDGE = "cnibr-ref";
    static final String REF_SUBNET = "10.202.0.0/16";

    @Test
    void cniCalls(Sandbox sandbox) throws Exception {
        if (!CniPeer.available()) {
            throw new IllegalStateException("the reference CNI plugins are not in " + CniPeer.CNI_BIN + " (containernetworking-plugins)");
        }
        if (N < 2 || N > 1000 || N_COLD < 1) {
            throw new IllegalArgumentException("patchbay.bench.cni.n must be 2..1000, patchbay.bench.cni.cold.n at least 1");
        }
        Report report = new Report();
        report.line("# Patchbay CNI benchmark (issue 12) — %s", ZonedDateTime.now());
        report.line("# N=%d ADD/DEL per side and row, VERSION x%d, cold x%d, warm-up %d cycles per side; Patchbay: %s; reference: %s %s",
                N, N_VERSION, N_COLD, WARMUP, PB_DIR, CniPeer.CNI_BIN, CniPeer.version().replace('\n', ' '));
        report.line("# %s", AttachBenchIT.machine());
        Path tmp = Files.createTempDirectory("pb-cni-bench");
        Path state = Files.createTempDirectory("pb-cni-bench-state");
        Path run = tmp.resolve("run"); // the daemon's socket folder: root's alone (the shim checks)
        List<String> nsAdd = new ArrayList<>();
        List<String> nsDel = new ArrayList<>();
        Map<String, List<String>> ns = new java.util.LinkedHashMap<>();
        for (String role : List.of("w", "r", "p", "rq", "pq", "rc", "pc", "rk", "pk")) {
            int count = role.equals("w") ? 2 : role.endsWith("k") ? N_COLD : N;
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                String n = sandbox.name(role + i);
                names.add(n);
                nsAdd.add("netns add " + n);
                nsDel.add("netns del " + n);
            }
            ns.put(role, names);
        }
        CniPlugins ref = new CniPlugins("reference", CniPeer.CNI_BIN, Map.of());
        CniPlugins pb = new CniPlugins("patchbay", PB_DIR, Map.of("PATCHBAY_RUN_DIR", run.toString(), "PATCHBAY_STATE_DIR", state.toString()));
        Side r = new Side(ref, REF_NET, CniPlugins.bridgeConf(REF_NET, REF_BRIDGE, REF_SUBNET, tmp.resolve("ipam-ref")), 20000, tmp);
        Side p = new Side(pb, PB_NET, CniPlugins.bridgeConf(PB_NET, PB_BRIDGE, PB_SUBNET, tmp.resolve("ipam-pb")), 30000, tmp);
        DaemonProcess daemon = null;
        try {
            double t = Procs.ipBatch(null, nsAdd, false);
            report.line("# set-up (not timed): %d namespaces in one ip -b: %.0f ms", nsAdd.size(), t);
            report.header("process spawn floor");
            List<Double> spawn = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                spawn.add(Procs.timed(List.of("/bin/true"), Map.of(), null).ms());
            }
            report.row("/bin/true as a process from this JVM", spawn);

            long d0 = System.nanoTime();
            daemon = new DaemonProcess(DIST, state, run);
            report.line("   daemon up (socket open) in %.0f ms", (System.nanoTime() - d0) / 1e6);
            for (int i = 0; i < WARMUP; i++) { // the daemon's request path and both bridges, not reported
                for (Side s : List.of(r, p)) {
                    String c = ns.get("w").get(i % 2);
                    String res = s.add("warm" + i, c, null);
                    s.del("warm" + i, c, res, null);
                }
            }

            report.header("VERSION (Podman's environment and stdin), interleaved");
            Path versionIn = CniPlugins.write(tmp, "version.json", "{\"cniVersion\":\"1.0.0\"}");
            List<Double> vr = new ArrayList<>();
            List<Double> vp = new ArrayList<>();
            for (int i = 0; i < N_VERSION; i++) {
                for (Side s : order(i, r, p)) {
                    (s == r ? vr : vp).add(s.plugins.version("bridge", versionIn).ms());
                }
            }
            report.row("reference bridge VERSION", vr);
            report.row("patchbay cni/bridge VERSION", vp);

            report.header("bridge ADD / DEL (ipMasq, host-local), interleaved, fresh namespaces");
            List<String> resR = new ArrayList<>();
            List<String> resP = new ArrayList<>();
            List<Double> addR = new ArrayList<>();
            List<Double> addP = new ArrayList<>();
            for (int i = 0; i < N; i++) {
                for (Side s : order(i, r, p)) {
                    boolean isR = s == r;
                    List<Double> ms = new ArrayList<>();
                    (isR ? resR : resP).add(s.add("c" + (i + 1), ns.get(isR ? "r" : "p").get(i), ms));
                    (isR ? addR : addP).add(ms.get(0));
                }
            }
            report.row("reference bridge ADD", addR);
            report.row("patchbay cni/bridge ADD", addP);
            report.line("   sanity: %s", sanity(ns.get("r"), resR, "10.202.0.1") + "; " + sanity(ns.get("p"), resP, "10.203.0.1"));
            List<Double> delR = new ArrayList<>();
            List<Double> delP = new ArrayList<>();
            for (int i = 0; i < N; i++) {
                for (Side s : order(i, r, p)) {
                    boolean isR = s == r;
                    List<Double> ms = new ArrayList<>();
                    s.del("c" + (i + 1), ns.get(isR ? "r" : "p").get(i), (isR ? resR : resP).get(i), ms);
                    (isR ? delR : delP).add(ms.get(0));
                }
            }
            report.line("   right after the DELs: %s", ports());
            report.row("reference bridge DEL", delR);
            report.row("patchbay cni/bridge DEL", delP);

            report.header("bridge + portmap chain, one published port (ADD: bridge then portmap; DEL: portmap then bridge)");
            List<String> qR = new ArrayList<>();
            List<String> qP = new ArrayList<>();
            Map<String, List<Double>> rows = new java.util.LinkedHashMap<>();
            for (String k : List.of("r.add", "r.pmadd", "r.chain", "p.add", "p.pmadd", "p.chain", "r.pmdel", "r.del", "r.dchain", "p.pmdel",
                    "p.del", "p.dchain")) {
                rows.put(k, new ArrayList<>());
            }
            for (int i = 0; i < N; i++) {
                for (Side s : order(i, r, p)) {
                    String k = s == r ? "r" : "p";
                    List<Double> ms = new ArrayList<>();
                    (s == r ? qR : qP).add(s.addWithPort("q" + (i + 1), ns.get(k + "q").get(i), s.port + i + 1, ms));
                    rows.get(k + ".add").add(ms.get(0));
                    rows.get(k + ".pmadd").add(ms.get(1));
                    rows.get(k + ".chain").add(ms.get(0) + ms.get(1));
                }
            }
            report.line("   sanity: %s", sanity(ns.get("rq"), qR, "10.202.0.1") + "; " + sanity(ns.get("pq"), qP, "10.203.0.1"));
            for (int i = 0; i < N; i++) {
                for (Side s : order(i, r, p)) {
                    String k = s == r ? "r" : "p";
                    List<Double> ms = new ArrayList<>();
                    s.delWithPort("q" + (i + 1), ns.get(k + "q").get(i), (s == r ? qR : qP).get(i), ms);
                    rows.get(k + ".pmdel").add(ms.get(0));
                    rows.get(k + ".del").add(ms.get(1));
                    rows.get(k + ".dchain").add(ms.get(0) + ms.get(1));
                }
            }
            report.line("   right after the DELs: %s", ports());
            report.row("reference bridge ADD (port run)", rows.get("r.add"));
            report.row("reference portmap ADD", rows.get("r.pmadd"));
            report.row("reference bridge+portmap ADD", rows.get("r.chain"));
            report.row("patchbay cni/bridge ADD (port run)", rows.get("p.add"));
            report.row("patchbay cni/portmap ADD", rows.get("p.pmadd"));
            report.row("patchbay cni/bridge+portmap ADD", rows.get("p.chain"));
            report.row("reference portmap DEL", rows.get("r.pmdel"));
            report.row("reference bridge DEL (port run)", rows.get("r.del"));
            report.row("reference portmap+bridge DEL", rows.get("r.dchain"));
            report.row("patchbay cni/portmap DEL", rows.get("p.pmdel"));
            report.row("patchbay cni/bridge DEL (port run)", rows.get("p.del"));
            report.row("patchbay cni/portmap+bridge DEL", rows.get("p.dchain"));

            report.header("Podman's chain for podman run without -p: bridge, portmap, firewall, tuning (ADD in order, DEL reversed)");
            List<Double> chR = new ArrayList<>();
            List<Double> chP = new ArrayList<>();
            List<Double> chDelR = new ArrayList<>();
            List<Double> chDelP = new ArrayList<>();
            List<String> cR = new ArrayList<>();
            List<String> cP = new ArrayList<>();
            for (int i = 0; i < N; i++) {
                for (Side s : order(i, r, p)) {
                    boolean isR = s == r;
                    List<Double> ms = new ArrayList<>();
                    (isR ? cR : cP).add(s.chainAdd("h" + (i + 1), ns.get(isR ? "rc" : "pc").get(i), ms));
                    (isR ? chR : chP).add(ms.stream().mapToDouble(Double::doubleValue).sum());
                }
            }
            report.line("   sanity: %s", sanity(ns.get("rc"), cR, "10.202.0.1") + "; " + sanity(ns.get("pc"), cP, "10.203.0.1"));
            for (int i = 0; i < N; i++) {
                for (Side s : order(i, r, p)) {
                    boolean isR = s == r;
                    List<Double> ms = new ArrayList<>();
                    s.chainDel("h" + (i + 1), ns.get(isR ? "rc" : "pc").get(i), (isR ? cR : cP).get(i), ms);
                    (isR ? chDelR : chDelP).add(ms.stream().mapToDouble(Double::doubleValue).sum());
                }
            }
            report.line("   right after the DELs: %s", ports());
            report.row("reference 4-plugin chain ADD", chR);
            report.row("patchbay cni/ 4-plugin chain ADD", chP);
            report.row("reference 4-plugin chain DEL", chDelR);
            report.row("patchbay cni/ 4-plugin chain DEL", chDelP);
            report.line("   daemon VmRSS after the run: %.1f MiB", Procs.memoryMiB(daemon.pid(), "VmRSS"));

            daemon.close();
            daemon = null;
            report.header("no daemon: the shim execs bin/patchbay (cold JVM + framework), interleaved with the reference");
            List<String> kR = new ArrayList<>();
            List<String> kP = new ArrayList<>();
            List<Double> cAddR = new ArrayList<>();
            List<Double> cAddP = new ArrayList<>();
            List<Double> cDelR = new ArrayList<>();
            List<Double> cDelP = new ArrayList<>();
            List<Double> cCli = new ArrayList<>();
            for (int i = 0; i < N_COLD; i++) {
                cCli.add(pb.cli(DIST, "network", "ls").ms()); // what a JVM and the framework cost by themselves now
            }
            for (int i = 0; i < N_COLD; i++) {
                for (Side s : order(i, r, p)) {
                    boolean isR = s == r;
                    List<Double> ms = new ArrayList<>();
                    (isR ? kR : kP).add(s.add("k" + (i + 1), ns.get(isR ? "rk" : "pk").get(i), ms));
                    (isR ? cAddR : cAddP).add(ms.get(0));
                }
            }
            for (int i = 0; i < N_COLD; i++) {
                for (Side s : order(i, r, p)) {
                    boolean isR = s == r;
                    List<Double> ms = new ArrayList<>();
                    s.del("k" + (i + 1), ns.get(isR ? "rk" : "pk").get(i), (isR ? kR : kP).get(i), ms);
                    (isR ? cDelR : cDelP).add(ms.get(0));
                }
            }
            report.row("reference bridge ADD (same phase)", cAddR);
            report.row("patchbay cni/bridge ADD, no daemon", cAddP);
            report.row("reference bridge DEL (same phase)", cDelR);
            report.row("patchbay cni/bridge DEL, no daemon", cDelP);
            report.row("bin/patchbay network ls, no daemon (same phase)", cCli);
            ratios(report);
        } finally {
            if (daemon != null) {
                daemon.close();
            }
            cleanUp(state);
            Procs.ipBatch(null, nsDel, true);
            Procs.deleteTree(tmp);
            Procs.deleteTree(state);
            report.write(Path.of("target/bench/cni-bench.txt")); // the module's target/, also with another -Dpatchbay.dist
        }
        assertEquals("", leftovers(), "the benchmark left something behind");
    }

    /** A B for even i, B A for odd i: neither side always goes first. */
    private static List<Side> order(int i, Side a, Side b) {
        return i % 2 == 0 ? List.of(a, b) : List.of(b, a);
    }

    /** The first container pings the gateway and the second container (addresses from the ADD results). */
    private static String sanity(List<String> netns, List<String> results, String gateway) {
        String second = address(results.get(1));
        boolean gw = Procs.timed(List.of("ip", "netns", "exec", netns.get(0), "ping", "-c", "1", "-W", "2", gateway), Map.of(), null).code() == 0;
        boolean peer = Procs.timed(List.of("ip", "netns", "exec", netns.get(0), "ping", "-c", "1", "-W", "2", second), Map.of(), null).code() == 0;
        return String.format(Locale.ROOT, "c1 -> %s %s, c1 -> c2 (%s) %s", gateway, gw ? "ok" : "FAILED", second, peer ? "ok" : "FAILED");
    }

    /** Ports left on each bridge and veths in the host (a DEL that answered before the kernel removed the link shows here). */
    private static String ports() {
        StringBuilder s = new StringBuilder();
        for (String b : List.of(REF_BRIDGE, PB_BRIDGE)) {
            String out = Procs.timed(List.of("ip", "-o", "link", "show", "master", b), Map.of(), null).out().strip();
            s.append(out.isEmpty() ? 0 : out.split("\n").length).append(" ports on ").append(b).append(", ");
        }
        String veths = Procs.timed(List.of("ip", "-o", "link", "show", "type", "veth"), Map.of(), null).out().strip();
        return s.append(veths.isEmpty() ? 0 : veths.split("\n").length).append(" veths in the host").toString();
    }

    /** The first address of a CNI result, without its prefix length. */
    static String address(String result) {
        String a = JsonParser.parseString(result).getAsJsonObject().getAsJsonArray("ips").get(0).getAsJsonObject().get("address").getAsString();
        return a.substring(0, a.indexOf('/'));
    }

    static void ratios(Report r) {
        r.line("");
        r.line("== ratios reference / patchbay (medians; > 1 means Patchbay is faster)");
        r.ratio("VERSION", "reference bridge VERSION", "patchbay cni/bridge VERSION");
        r.ratio("bridge ADD", "reference bridge ADD", "patchbay cni/bridge ADD");
        r.ratio("bridge DEL", "reference bridge DEL", "patchbay cni/bridge DEL");
        r.ratio("bridge+portmap ADD", "reference bridge+portmap ADD", "patchbay cni/bridge+portmap ADD");
        r.ratio("portmap+bridge DEL", "reference portmap+bridge DEL", "patchbay cni/portmap+bridge DEL");
        r.ratio("4-plugin chain ADD", "reference 4-plugin chain ADD", "patchbay cni/ 4-plugin chain ADD");
        r.ratio("4-plugin chain DEL", "reference 4-plugin chain DEL", "patchbay cni/ 4-plugin chain DEL");
        r.ratio("bridge ADD, no daemon", "reference bridge ADD (same phase)", "patchbay cni/bridge ADD, no daemon");
        r.line("");
        r.line("== targets (issue 12: whole processes, daemon resident)");
        AttachBenchIT.target(r, "VERSION median <= 5 ms", r.get("patchbay cni/bridge VERSION"), 5);
        AttachBenchIT.target(r, "ADD median <= 20 ms", r.get("patchbay cni/bridge ADD"), 20);
        AttachBenchIT.target(r, "DEL median <= 20 ms", r.get("patchbay cni/bridge DEL"), 20);
        AttachBenchIT.target(r, "ADD + published port median <= 25 ms", r.get("patchbay cni/bridge+portmap ADD"), 25);
        AttachBenchIT.target(r, "cold ADD (no daemon) median <= 400 ms", r.get("patchbay cni/bridge ADD, no daemon"), 400);
    }

    /** Patchbay's network (the CNI network became one), both bridges, the reference plugins' iptables chains. */
    private static void cleanUp(Path state) {
        List<String> argv = List.of(DIST.resolve("bin/patchbay").toString(), "--state-dir", state.toString(), "network", "rm", "--force", PB_NET);
        Procs.timed(argv, Map.of("PATCHBAY_DAEMON", "off"), null);
        Procs.quiet("ip", "link", "del", PB_BRIDGE);
        Procs.quiet("ip", "link", "del", REF_BRIDGE);
        for (String table : List.of("nat", "filter")) {
            CniPeer.removeCniChains(table);
        }
    }

    /** What of the benchmark is still in the host (empty when clean). */
    static String leftovers() {
        StringBuilder s = new StringBuilder();
        String links = Procs.run("ip", "-o", "link", "show");
        for (String name : List.of(PB_BRIDGE, REF_BRIDGE, "veth")) {
            if (links.contains(" " + name)) {
                s.append("links named ").append(name).append("*; ");
            }
        }
        String nft = Procs.timed(List.of("nft", "list", "ruleset"), Map.of(), null).out();
        if (nft.contains("10.203.") || nft.contains("10.202.")) {
            s.append("nft rules naming the benchmark's subnets; ");
        }
        for (String table : List.of("nat", "filter")) {
            String rules = Procs.timed(List.of("iptables", "-t", table, "-S"), Map.of(), null).out();
            if (rules.contains("CNI-") || rules.contains("10.202.") || rules.contains("10.203.")) {
                s.append("iptables ").append(table).append(" rules of the benchmark; ");
            }
        }
        return s.toString();
    }

    /** One side: a plugin folder and its network configuration; each call timed as a whole process. */
    private static final class Side {
        final CniPlugins plugins;
        final String net;
        final String conf;
        final int port;
        final Path tmp;

        Side(CniPlugins plugins, String net, String conf, int port, Path tmp) {
            this.plugins = plugins;
            this.net = net;
            this.conf = conf;
            this.port = port;
            this.tmp = tmp;
        }

        private Path file(String id, String what, String content) throws java.io.IOException {
            return CniPlugins.write(tmp, plugins.label() + "-" + id + "-" + what + ".json", content);
        }

        /** bridge ADD; returns the result, adds the time to {@code ms} when given. */
        String add(String id, String netns, List<Double> ms) throws java.io.IOException {
            Procs.Timed t = plugins.call("bridge", "ADD", id, netns, file(id, "bridge", conf));
            if (ms != null) {
                ms.add(t.ms());
            }
            return t.out();
        }

        /** bridge DEL with the ADD's result as prevResult (libcni's cached result, as a runtime sends it). */
        void del(String id, String netns, String result, List<Double> ms) throws java.io.IOException {
            Procs.Timed t = plugins.call("bridge", "DEL", id, netns, file(id, "bridge-del", CniPlugins.withPrevResult(conf, result)));
            if (ms != null) {
                ms.add(t.ms());
            }
        }

        /** bridge ADD then portmap ADD with the bridge's result; returns the portmap's result (the chain's). */
        String addWithPort(String id, String netns, int hostPort, List<Double> ms) throws java.io.IOException {
            Procs.Timed b = plugins.call("bridge", "ADD", id, netns, file(id, "bridge", conf));
            Procs.Timed pm = plugins.call("portmap", "ADD", id, netns, file(id, "portmap", CniPlugins.portmapConf(net, hostPort, b.out())));
            ms.add(b.ms());
            ms.add(pm.ms());
            file(id, "chain-result", b.out());
            return pm.out();
        }

        /** The members after the bridge in Podman's conflist, as Podman sends them (no runtimeConfig: no -p). */
        private String member(String type, String extra, String prevResult) {
            return "{\"cniVersion\":\"1.0.0\",\"name\":\"" + net + "\",\"type\":\"" + type + "\"" + extra + ",\"prevResult\":" + prevResult.strip() + "}";
        }

        private static final List<String[]> CHAIN = List.of(new String[] {"portmap", ",\"capabilities\":{\"portMappings\":true}"},
                new String[] {"firewall", ",\"backend\":\"\""}, new String[] {"tuning", ""});

        /** bridge, portmap, firewall, tuning ADD, each given the previous result; returns the last result. */
        String chainAdd(String id, String netns, List<Double> ms) throws java.io.IOException {
            Procs.Timed t = plugins.call("bridge", "ADD", id, netns, file(id, "bridge", conf));
            ms.add(t.ms());
            String result = t.out();
            for (String[] m : CHAIN) {
                t = plugins.call(m[0], "ADD", id, netns, file(id, m[0], member(m[0], m[1], result)));
                ms.add(t.ms());
                result = t.out();
            }
            return result;
        }

        /** tuning, firewall, portmap, bridge DEL, each with the chain's cached result (as libcni sends DEL). */
        void chainDel(String id, String netns, String result, List<Double> ms) throws java.io.IOException {
            for (int k = CHAIN.size() - 1; k >= 0; k--) {
                String[] m = CHAIN.get(k);
                ms.add(plugins.call(m[0], "DEL", id, netns, file(id, m[0] + "-del", member(m[0], m[1], result))).ms());
            }
            ms.add(plugins.call("bridge", "DEL", id, netns, file(id, "bridge-del", CniPlugins.withPrevResult(conf, result))).ms());
        }

        /** portmap DEL then bridge DEL, each with the chain's result as prevResult. */
        void delWithPort(String id, String netns, String result, List<Double> ms) throws java.io.IOException {
            String pmConf = Files.readString(tmp.resolve(plugins.label() + "-" + id + "-portmap.json")).strip();
            String pmDel = pmConf.substring(0, pmConf.indexOf(",\"prevResult\":")) + ",\"prevResult\":" + result.strip() + "}";
            Procs.Timed pm = plugins.call("portmap", "DEL", id, netns, file(id, "portmap-del", pmDel));
            Procs.Timed b = plugins.call("bridge", "DEL", id, netns, file(id, "bridge-del", CniPlugins.withPrevResult(conf, result)));
            ms.add(pm.ms());
            ms.add(b.ms());
        }
    }
}
