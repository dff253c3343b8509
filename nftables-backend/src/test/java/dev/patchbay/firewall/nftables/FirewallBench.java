package dev.patchbay.firewall.nftables;

import dev.patchbay.core.firewall.Firewall;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.model.PortRange;
import dev.patchbay.core.model.Protocol;
import dev.patchbay.firewall.iptables.IptablesFirewall;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Benchmark (see BENCH.md): N = 100, 1,000, 10,000 port forwards; full apply, add one, delete one, for
 * both backends, and the peer figures taken the same way (fw_scale.sh) in the same run and namespace.
 */
@Tag("bench")
@NetnsTest
class FirewallBench {
    static final NetnsRef HOST = NetnsRef.current();
    static final int R_FULL = Integer.getInteger("bench.rfull", 5);
    static final int R_ONE = Integer.getInteger("bench.rone", 15);

    static InetAddress dst(int k) {
        try {
            return InetAddress.getByAddress(new byte[] {10, (byte) 250, (byte) (k / 250), (byte) (k % 250 + 2)});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static Ruleset forwards(String owner, int first, int n) {
        List<Rule> rules = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            rules.add(new Rule.PortForward(new PortMapping(Protocol.TCP, null, PortRange.of(first + k), PortRange.of(80)), dst(k)));
        }
        return new Ruleset(RulesetOwner.of(owner), rules);
    }

    static double ms(Runnable r) {
        long t = System.nanoTime();
        r.run();
        return (System.nanoTime() - t) / 1e6;
    }

    static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    static double[] repeat(int n, Supplier<Double> one) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = one.get();
        }
        return out;
    }

    record Row(String what, int n, double median, double min, double max) {
        String line() {
            return String.format(Locale.ROOT, "%-48s N=%-6d %8.3f ms  [%.3f..%.3f]", what, n, median, min, max);
        }
    }

    final List<Row> rows = new ArrayList<>();

    double record(String what, int n, double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        rows.add(new Row(what, n, median(v), c[0], c[c.length - 1]));
        return median(v);
    }

    static void run(String... argv) {
        Sandbox.Result r = Sandbox.exec(argv);
        if (r.code() != 0) {
            throw new AssertionError(String.join(" ", argv) + ": " + r.output());
        }
    }

    static void runIn(String stdinFile, String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectInput(Path.of(stdinFile).toFile()).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (p.waitFor() != 0) {
                throw new AssertionError(String.join(" ", argv) + ": " + new String(out));
            }
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    void ours(Firewall fw, int n) {
        ours(fw, fw.backend(), n);
    }

    void ours(Firewall fw, String name, int n) {
        Ruleset all = forwards("bench:all", 10000, n);
        fw.remove(HOST, all.owner());
        record(name + " full apply (empty)", n, repeat(R_FULL, () -> {
            fw.remove(HOST, all.owner());
            return ms(() -> fw.apply(HOST, all));
        }));
        Ruleset one = forwards("bench:one", 30000, 1);
        double[] add = new double[R_ONE];
        double[] del = new double[R_ONE];
        for (int i = 0; i < R_ONE; i++) {
            add[i] = ms(() -> fw.apply(HOST, one));
            del[i] = ms(() -> fw.remove(HOST, one.owner()));
        }
        record(name + " add one", n, add);
        record(name + " delete one", n, del);
        fw.remove(HOST, all.owner());
    }

    void peers(int n, Path tmp) throws IOException {
        StringBuilder ipt = new StringBuilder("*nat\n:PREROUTING ACCEPT [0:0]\n:PORTFWD - [0:0]\n-A PREROUTING -p tcp -j PORTFWD\n");
        StringBuilder nft = new StringBuilder("table ip bench\ndelete table ip bench\ntable ip bench {\n map pfwd {\n"
                + "  type inet_service : ipv4_addr . inet_service\n  elements = { ");
        for (int k = 0; k < n; k++) {
            String d = dst(k).getHostAddress();
            ipt.append("-A PORTFWD -p tcp --dport ").append(10000 + k).append(" -j DNAT --to-destination ").append(d).append(":80\n");
            nft.append(k == 0 ? "" : ", ").append(10000 + k).append(" : ").append(d).append(" . 80");
        }
        ipt.append("COMMIT\n");
        nft.append(" }\n }\n chain prerouting {\n  type nat hook prerouting priority dstnat; policy accept;\n"
                + "  dnat ip to tcp dport map @pfwd\n }\n}\n");
        Path iptFile = tmp.resolve("ipt");
        Path nftFile = tmp.resolve("nft");
        Files.writeString(iptFile, ipt);
        Files.writeString(nftFile, nft);
        record("peer iptables-nft-restore full (empty)", n, repeat(R_FULL, () -> {
            run("iptables-nft", "-t", "nat", "-F");
            run("iptables-nft", "-t", "nat", "-X");
            return ms(() -> runIn(iptFile.toString(), "iptables-nft-restore"));
        }));
        String[] spec = {"-p", "tcp", "--dport", "30000", "-j", "DNAT", "--to-destination", "10.251.0.1:80"};
        List<String> a = new ArrayList<>(List.of("iptables-nft", "-t", "nat", "-A", "PORTFWD"));
        a.addAll(List.of(spec));
        List<String> d = new ArrayList<>(List.of("iptables-nft", "-t", "nat", "-D", "PORTFWD"));
        d.addAll(List.of(spec));
        double[] add = new double[R_ONE];
        double[] del = new double[R_ONE];
        for (int i = 0; i < R_ONE; i++) {
            add[i] = ms(() -> run(a.toArray(String[]::new)));
            del[i] = ms(() -> run(d.toArray(String[]::new)));
        }
        record("peer iptables-nft -A one", n, add);
        record("peer iptables-nft -D one", n, del);
        run("iptables-nft", "-t", "nat", "-F");
        run("iptables-nft", "-t", "nat", "-X");
        record("peer nft -f map full (empty)", n, repeat(R_FULL, () -> {
            Sandbox.exec("nft", "delete", "table", "ip", "bench");
            return ms(() -> run("nft", "-f", nftFile.toString()));
        }));
        for (int i = 0; i < R_ONE; i++) {
            add[i] = ms(() -> run("nft", "add", "element", "ip", "bench", "pfwd", "{ 30000 : 10.251.0.1 . 80 }"));
            del[i] = ms(() -> run("nft", "delete", "element", "ip", "bench", "pfwd", "{ 30000 }"));
        }
        record("peer nft add element", n, add);
        record("peer nft delete element", n, del);
        run("nft", "delete", "table", "ip", "bench");
    }

    /**
     * A rule change (one masquerade of its own owner, its subnet alternating) while another owner holds N forwards in
     * the maps: with the netlink channel (the new rules' handles read back with one rule dump) and with libnftables
     * alone (echoed, which makes libnftables read every map's elements first). {@code -Dbench.rule.n=10000}.
     */
    @Test
    void ruleChangeBesideForwards() {
        int n = Integer.getInteger("bench.rule.n", 10000);
        NftablesFirewall nft = new NftablesFirewall();
        nft.stack = new CurrentNetnsStack();
        NftablesFirewall text = new NftablesFirewall();
        Ruleset all = forwards("bench:all", 10000, n);
        for (int round = 0; round < 2; round++) { // the first round warms up
            rows.clear();
            for (int m : new int[] {0, n}) {
                nft.apply(HOST, forwards("bench:all", 10000, Math.max(m, 1)));
                for (var fw : List.of(nft, text)) {
                    String name = (fw == nft ? "nftables" : "nftables/libnftables only") + ", masquerade changed";
                    int[] k = {0};
                    record(name, m, repeat(R_ONE, () -> ms(() -> fw.apply(HOST, new Ruleset(RulesetOwner.of("bench:rule"), List.of(
                            new Rule.Masquerade(dev.patchbay.core.model.IpPrefix.parse("10.99." + (k[0]++ % 2) + ".0/24"), null)))))));
                    fw.remove(HOST, RulesetOwner.of("bench:rule"));
                }
            }
            nft.remove(HOST, all.owner());
        }
        rows.forEach(r -> System.out.println(r.line()));
    }

    @Test
    void scale() throws Exception {
        Path tmp = Files.createTempDirectory("pb-bench");
        NftablesFirewall nft = new NftablesFirewall();
        nft.stack = new CurrentNetnsStack(); // as in the daemon: elements go as netlink batches
        NftablesFirewall text = new NftablesFirewall(); // no stack: libnftables does everything
        IptablesFirewall ipt = new IptablesFirewall();
        ours(nft, 100); // warm-up: JIT, library load, context
        ours(text, "nftables/libnftables only", 100);
        ours(ipt, 100);
        rows.clear();
        for (int n : new int[] {100, 1000, 10000}) {
            ours(nft, n);
            ours(text, "nftables/libnftables only", n);
            ours(ipt, n);
            peers(n, tmp);
        }
        StringBuilder out = new StringBuilder("# firewall benchmark, times in ms: median [min..max]; R_FULL=" + R_FULL + " R_ONE=" + R_ONE + "\n");
        rows.forEach(r -> out.append(r.line()).append('\n'));
        out.append("\n# ratios (peer / patchbay; > 1 means patchbay is faster)\n");
        for (int n : new int[] {100, 1000, 10000}) {
            out.append(ratio("full apply: iptables-nft-restore / nftables backend", "peer iptables-nft-restore full (empty)", "nftables full apply (empty)", n));
            out.append(ratio("full apply: nft -f map / nftables backend", "peer nft -f map full (empty)", "nftables full apply (empty)", n));
            out.append(ratio("full apply: libnftables only / nftables backend", "nftables/libnftables only full apply (empty)", "nftables full apply (empty)", n));
            out.append(ratio("add one: nft add element / nftables backend", "peer nft add element", "nftables add one", n));
            out.append(ratio("delete one: nft delete element / nftables backend", "peer nft delete element", "nftables delete one", n));
            out.append(ratio("delete one: iptables-nft -D / nftables backend", "peer iptables-nft -D one", "nftables delete one", n));
            out.append(ratio("full apply: iptables-nft-restore / iptables backend", "peer iptables-nft-restore full (empty)", "iptables full apply (empty)", n));
            out.append(ratio("add one: iptables-nft -A / iptables backend", "peer iptables-nft -A one", "iptables add one", n));
            out.append(ratio("delete one: iptables-nft -D / iptables backend", "peer iptables-nft -D one", "iptables delete one", n));
        }
        System.out.println(out);
        Path report = Path.of(System.getProperty("bench.out", "target/bench-results.txt"));
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.writeString(report, out);
    }

    String ratio(String label, String peer, String ours, int n) {
        double p = rows.stream().filter(r -> r.what().equals(peer) && r.n() == n).findFirst().orElseThrow().median();
        double o = rows.stream().filter(r -> r.what().equals(ours) && r.n() == n).findFirst().orElseThrow().median();
        return String.format(Locale.ROOT, "%-56s N=%-6d %7.1fx\n", label, n, p / o);
    }
}
