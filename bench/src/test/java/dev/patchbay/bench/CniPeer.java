package dev.patchbay.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The CNI reference plugins as a container runtime calls them (as shared/peers/cni_bridge.sh does): one
 * {@code bridge} process per ADD/DEL with host-local IPAM and ipMasq, and {@code portmap} chained after it
 * with the bridge's result as prevResult. Each plugin call is timed as a whole process, config on stdin,
 * CNI_* in the environment. Runs in this JVM's namespace (the host) on a bridge and subnet of its own.
 */
final class CniPeer {
    static final Path CNI_BIN = Path.of(System.getProperty("patchbay.bench.cni", "/usr/lib/cni"));
    static final String BRIDGE = "cnibench0";
    static final String SUBNET = "10.201.0.0/16";
    static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final Path tmp;
    private final List<String> containers;

    CniPeer(Path tmp, List<String> containers) {
        this.tmp = tmp;
        this.containers = containers;
    }

    static boolean available() {
        return Files.isExecutable(CNI_BIN.resolve("bridge")) && Files.isExecutable(CNI_BIN.resolve("portmap"))
                && Files.isExecutable(CNI_BIN.resolve("host-local"));
    }

    static String version() {
        return Procs.timed(List.of(CNI_BIN.resolve("bridge").toString()), Map.of("CNI_COMMAND", "VERSION"), null).out().trim();
    }

    void run(Report report) throws IOException {
        Path bridgeConf = tmp.resolve("bridge.json");
        Files.writeString(bridgeConf, "{\"cniVersion\":\"1.0.0\",\"name\":\"pbbench\",\"type\":\"bridge\",\"bridge\":\"" + BRIDGE
                + "\",\"isGateway\":true,\"ipMasq\":true,\"ipam\":{\"type\":\"host-local\",\"subnet\":\"" + SUBNET
                + "\",\"dataDir\":\"" + tmp.resolve("ipam") + "\"}}\n");
        try {
            // pass 1: bridge (ipMasq) alone
            List<Double> add = new ArrayList<>();
            List<Double> del = new ArrayList<>();
            for (int i = 0; i < containers.size(); i++) {
                add.add(call("bridge", "ADD", i, bridgeConf).ms());
            }
            String ping = Procs.timed(List.of("ip", "netns", "exec", containers.get(0), "ping", "-c", "1", "-W", "2", "10.201.0.1"),
                    Map.of(), null).code() == 0 ? "ok" : "FAILED";
            for (int i = 0; i < containers.size(); i++) {
                del.add(call("bridge", "DEL", i, bridgeConf).ms());
            }
            // pass 2: bridge + portmap, one published port per container
            List<Double> add2 = new ArrayList<>();
            List<Double> pmAdd = new ArrayList<>();
            List<Double> bothAdd = new ArrayList<>();
            List<Double> pmDel = new ArrayList<>();
            List<Double> del2 = new ArrayList<>();
            List<Double> bothDel = new ArrayList<>();
            for (int i = 0; i < containers.size(); i++) {
                Procs.Timed b = call("bridge", "ADD", i, bridgeConf);
                Path pm = tmp.resolve("pm" + i + ".json");
                Files.writeString(pm, "{\"cniVersion\":\"1.0.0\",\"name\":\"pbbench\",\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true},"
                        + "\"snat\":true,\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":" + (20000 + i + 1)
                        + ",\"containerPort\":80,\"protocol\":\"tcp\"}]},\"prevResult\":" + b.out().trim() + "}\n");
                Procs.Timed p = call("portmap", "ADD", i, pm);
                add2.add(b.ms());
                pmAdd.add(p.ms());
                bothAdd.add(b.ms() + p.ms());
            }
            for (int i = 0; i < containers.size(); i++) {
                double p = call("portmap", "DEL", i, tmp.resolve("pm" + i + ".json")).ms();
                double b = call("bridge", "DEL", i, bridgeConf).ms();
                pmDel.add(p);
                del2.add(b);
                bothDel.add(p + b);
            }
            report.row("CNI bridge ADD (ipMasq)", add);
            report.row("CNI bridge DEL (ipMasq)", del);
            report.row("CNI bridge ADD (portmap run)", add2);
            report.row("CNI portmap ADD", pmAdd);
            report.row("CNI bridge+portmap ADD", bothAdd);
            report.row("CNI portmap DEL", pmDel);
            report.row("CNI bridge DEL (portmap run)", del2);
            report.row("CNI portmap+bridge DEL", bothDel);
            report.line("   sanity: c1 -> gateway ping after the ADDs: %s", ping);
        } finally {
            cleanUp();
        }
    }

    private Procs.Timed call(String plugin, String command, int i, Path conf) {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", PATH);
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", "pbbench-" + (i + 1));
        env.put("CNI_NETNS", "/run/netns/" + containers.get(i));
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", CNI_BIN.toString());
        return Procs.timed(List.of(CNI_BIN.resolve(plugin).toString()), env, conf).ok(plugin + " " + command + " c" + (i + 1));
    }

    /** Removes what the plugins leave behind in the host: the bridge and the CNI-* iptables chains (portmap keeps its own). */
    static void cleanUp() {
        Procs.quiet("ip", "link", "del", BRIDGE);
        for (String table : List.of("nat", "filter")) {
            removeCniChains(table);
        }
    }

    static void removeCniChains(String table) {
        String rules = Procs.timed(List.of("iptables", "-t", table, "-S"), Map.of(), null).out();
        List<String> chains = new ArrayList<>();
        List<String> parents = new ArrayList<>();
        for (String line : rules.split("\n")) {
            String[] w = line.split(" ");
            if (w.length >= 2 && (w[0].equals("-N") || w[0].equals("-P")) && w[1].startsWith("CNI-")) {
                chains.add(w[1]);
            } else if (w.length >= 2 && w[0].equals("-A") && !w[1].startsWith("CNI-") && line.contains("-j CNI-") && !parents.contains(w[1])) {
                parents.add(w[1]);
            }
        }
        for (String parent : parents) { // rules of built-in chains that jump into CNI chains, by number, last first
            String listing = Procs.timed(List.of("iptables", "-t", table, "-L", parent, "-n", "--line-numbers"), Map.of(), null).out();
            List<String> numbers = new ArrayList<>();
            for (String l : listing.split("\n")) {
                String[] w = l.trim().split("\\s+");
                if (w.length >= 2 && w[0].matches("\\d+") && w[1].startsWith("CNI-")) {
                    numbers.add(0, w[0]);
                }
            }
            numbers.forEach(n -> Procs.quiet("iptables", "-t", table, "-D", parent, n));
        }
        chains.forEach(c -> Procs.quiet("iptables", "-t", table, "-F", c));
        chains.forEach(c -> Procs.quiet("iptables", "-t", table, "-X", c));
    }

    /** What of the peer is still in the host (empty when clean). */
    static String leftovers() {
        StringBuilder s = new StringBuilder();
        if (Procs.timed(List.of("ip", "link", "show", BRIDGE), Map.of(), null).code() == 0) {
            s.append("link ").append(BRIDGE).append("; ");
        }
        for (String table : List.of("nat", "filter")) {
            String rules = Procs.timed(List.of("iptables", "-t", table, "-S"), Map.of(), null).out();
            if (rules.contains("CNI-")) {
                s.append("iptables ").append(table).append(" CNI chains; ");
            }
        }
        return s.toString();
    }
}
