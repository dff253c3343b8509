package dev.patchbay.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The tutorials' shell steps, one {@code ip} process per step (shared/peers/seed_shell.sh, variant A with
 * {@code ip -n}): in this JVM's namespace (the host) a bridge with the gateway address and one masquerade
 * rule; per container a veth pair, its peer moved into the container, enslaved, addressed, up, default
 * route. Teardown per container is {@code ip link del} of the host end.
 */
final class ShellPeer {
    static final String BRIDGE = "shbench0";
    static final String SUBNET = "10.202.0.0/16";

    private final List<String> containers;

    /** {@code containers}: names for namespaces this peer creates (timed as a step of its own) and deletes. */
    ShellPeer(List<String> containers) {
        this.containers = containers;
    }

    void run(Report report) {
        Procs.run("ip", "link", "add", BRIDGE, "type", "bridge");
        List<Double> netnsAdd = new ArrayList<>();
        List<Double> steps = new ArrayList<>();
        List<Double> move = new ArrayList<>();
        List<Double> linkDel = new ArrayList<>();
        List<Double> netnsDel = new ArrayList<>();
        boolean rule = false;
        int created = 0;
        try {
            Procs.run("ip", "addr", "add", "10.202.0.1/16", "dev", BRIDGE);
            Procs.run("ip", "link", "set", BRIDGE, "up");
            Procs.run("iptables", "-t", "nat", "-A", "POSTROUTING", "-s", SUBNET, "!", "-o", BRIDGE, "-j", "MASQUERADE");
            rule = true;
            for (int i = 0; i < containers.size(); i++) {
                String c = containers.get(i);
                String vh = "vhb" + (i + 1);
                String vc = "vcb" + (i + 1);
                String ip = "10.202." + ((i + 2) / 256) + "." + ((i + 2) % 256) + "/16";
                netnsAdd.add(step("ip", "netns", "add", c));
                created = i + 1;
                double t = step("ip", "link", "add", vh, "type", "veth", "peer", "name", vc);
                double m = step("ip", "link", "set", vc, "netns", c);
                t += m;
                t += step("ip", "link", "set", vh, "master", BRIDGE);
                t += step("ip", "-n", c, "addr", "add", ip, "dev", vc);
                t += step("ip", "-n", c, "link", "set", vc, "up");
                t += step("ip", "-n", c, "link", "set", "lo", "up");
                t += step("ip", "link", "set", vh, "up");
                t += step("ip", "-n", c, "route", "add", "default", "via", "10.202.0.1");
                steps.add(t);
                move.add(m);
            }
            String ping = Procs.timed(List.of("ip", "netns", "exec", containers.get(0), "ping", "-c", "1", "-W", "2", "10.202.0.1"),
                    Map.of(), null).code() == 0 ? "ok" : "FAILED";
            for (int i = 0; i < containers.size(); i++) {
                linkDel.add(step("ip", "link", "del", "vhb" + (i + 1)));
                netnsDel.add(step("ip", "netns", "del", containers.get(i)));
            }
            created = 0;
            report.row("shell: 8 ip steps (namespace exists)", steps);
            report.row("shell: of which veth -> netns move", move);
            report.row("shell: ip netns add (not in the row above)", netnsAdd);
            report.row("shell detach: ip link del host veth", linkDel);
            report.row("shell: ip netns del (not in the row above)", netnsDel);
            report.line("   sanity: c1 -> gateway ping: %s", ping);
        } finally {
            for (int i = 0; i < created; i++) {
                Procs.quiet("ip", "link", "del", "vhb" + (i + 1));
                Procs.quiet("ip", "netns", "del", containers.get(i));
            }
            if (rule) {
                Procs.quiet("iptables", "-t", "nat", "-D", "POSTROUTING", "-s", SUBNET, "!", "-o", BRIDGE, "-j", "MASQUERADE");
            }
            Procs.quiet("ip", "link", "del", BRIDGE);
        }
    }

    private static double step(String... argv) {
        return Procs.timed(List.of(argv), Map.of(), null).ok(String.join(" ", argv)).ms();
    }
}
