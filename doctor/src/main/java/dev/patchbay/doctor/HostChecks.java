package dev.patchbay.doctor;

import dev.patchbay.core.firewall.Firewall;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.doctor.DoctorCommand.Check;
import dev.patchbay.firewall.host.FirewallManager;
import dev.patchbay.orchestrator.network.HostPorts;
import dev.patchbay.orchestrator.network.HostSubnets;
import dev.patchbay.orchestrator.network.NetworkManager;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The host namespace's checks of {@code doctor}: privileges, the kernel features Patchbay needs, the firewall backends,
 * forwarding, another tool's FORWARD DROP policy, host sockets that published ports shadow, the state directory (its
 * owner and modes, records that cannot be read), and whether a daemon serves this namespace. Reads only.
 */
final class HostChecks {
    private static final int CAP_NET_ADMIN = 12;
    private final NetworkManager manager;
    private final FirewallManager firewall;
    private final List<Firewall> backends;
    private final Path stateDir;
    private final NetnsRef host;
    private final boolean inDaemon;
    private final String area;
    private List<Check> out;
    private boolean privileged;

    HostChecks(NetworkManager manager, FirewallManager firewall, List<Firewall> backends, Path stateDir, NetnsRef host, boolean inDaemon) {
        this.manager = manager;
        this.firewall = firewall;
        this.backends = backends;
        this.stateDir = stateDir;
        this.host = host;
        this.inDaemon = inDaemon;
        this.area = "host (" + host.describe() + ")";
    }

    void run(List<Check> checks) {
        out = checks;
        privileges();
        kernel("bridge", "CONFIG_BRIDGE", "Linux bridges (the bridge driver)");
        kernel("veth", "CONFIG_VETH", "veth pairs (a container's link)");
        List<NetworkConfig> networks = networks();
        firewall(networks);
        forwarding(networks);
        subnets(networks);
        publishedPorts();
        daemon();
    }

    private void add(String check, String status, String detail) {
        out.add(new Check(area, check, status, detail));
    }

    private void privileges() {
        String status = read(Path.of("/proc/self/status"));
        String eff = field(status, "CapEff:");
        long caps = eff == null ? 0 : Long.parseUnsignedLong(eff, 16);
        String who = (inDaemon ? "the daemon runs as uid " : "uid ") + field(status, "Uid:").split("\\s+")[1];
        privileged = (caps >> CAP_NET_ADMIN & 1) == 1;
        if (privileged) {
            add("privileges", "ok", who + " with CAP_NET_ADMIN");
        } else {
            add("privileges", "fail", who + " without CAP_NET_ADMIN: Patchbay cannot change the network (run as root)");
        }
    }

    /** A kernel feature: loaded, built in, or a module the kernel loads on first use; else missing. */
    private void kernel(String module, String option, String what) {
        String check = "kernel: " + module;
        if (Files.isDirectory(Path.of("/sys/module", module))) {
            add(check, "ok", what + ": loaded");
            return;
        }
        String release = read(Path.of("/proc/sys/kernel/osrelease")).strip();
        Path modules = Path.of("/lib/modules", release);
        String builtin = read(modules.resolve("modules.builtin"));
        String dep = read(modules.resolve("modules.dep"));
        String config = kernelConfig();
        if (builtin.contains("/" + module + ".ko") || config.contains("\n" + option + "=y")) {
            add(check, "ok", what + ": built into the kernel");
        } else if (dep.contains("/" + module + ".ko") || config.contains("\n" + option + "=m")) {
            add(check, "ok", what + ": a module, loaded on first use");
        } else if (dep.isEmpty() && builtin.isEmpty() && config.isEmpty()) {
            add(check, "warn", what + ": not loaded, and neither " + modules + " nor /proc/config.gz tells whether the kernel has it");
        } else {
            add(check, "fail", what + ": this kernel (" + release + ") has no " + module + " module");
        }
    }

    /** The networks of this host namespace; a state directory that cannot be read is reported here. */
    private List<NetworkConfig> networks() {
        if (!Files.isDirectory(stateDir)) {
            add("state directory", "ok", stateDir + " does not exist yet (made, root's alone, on the first change)");
            return List.of();
        }
        List<String> problems = new ArrayList<>();
        try {
            Map<String, Object> a = Files.readAttributes(stateDir, "unix:uid,mode");
            int mode = (Integer) a.get("mode") & 0777;
            if ((Integer) a.get("uid") != 0 || (mode & 077) != 0) {
                problems.add(String.format("%s is uid %d's with mode %03o (should be root's, 0700)", stateDir, (Integer) a.get("uid"), mode));
            }
        } catch (IOException e) {
            add("state directory", "fail", "cannot read " + stateDir + ": permission denied (run as root)");
            return List.of();
        }
        List<String> open = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(stateDir, 4)) {
            walk.limit(100_000).forEach(p -> {
                try {
                    Map<String, Object> a = Files.readAttributes(p, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
                    if (!p.equals(stateDir) && (((Integer) a.get("mode") & 077) != 0 || (Integer) a.get("uid") != 0)) {
                        open.add(stateDir.relativize(p) + String.format(" (%03o)", (Integer) a.get("mode") & 0777));
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            problems.add("cannot walk it: " + e.getMessage());
        }
        if (!open.isEmpty()) {
            problems.add(open.size() + " file(s) others may open (should be 0600, folders 0700, root's): "
                    + String.join(", ", open.subList(0, Math.min(5, open.size()))) + (open.size() > 5 ? ", ..." : ""));
        }
        List<String> damaged = new ArrayList<>();
        List<String> newer = new ArrayList<>();
        try (Stream<Path> files = Files.list(stateDir.resolve("networks"))) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".json")).toList()) {
                String name = f.getFileName().toString().replaceFirst("\\.json$", "");
                try {
                    manager.networks(stateDir).find(name);
                    manager.attachments(stateDir).list(name);
                } catch (dev.patchbay.state.NewerStateException e) {
                    newer.add(e.getMessage()); // not damage: gc refuses it too
                } catch (RuntimeException e) {
                    damaged.add(e.getMessage());
                }
            }
        } catch (IOException e) {
            // no networks yet
        }
        if (problems.isEmpty() && damaged.isEmpty() && newer.isEmpty()) {
            add("state directory", "ok", stateDir + ": root's alone (0700, files 0600), every record readable");
        }
        problems.forEach(p -> add("state directory", "warn", p));
        damaged.forEach(d -> add("state records", "fail", d + " (patchbay gc repairs what it can)"));
        newer.forEach(d -> add("state records", "fail", d));
        try {
            return HostPorts.networksIn(manager.stack(), stateDir, host);
        } catch (RuntimeException e) {
            add("networks", "fail", "cannot list the networks of " + host.describe() + ": " + e.getMessage());
            return List.of();
        }
    }

    private void firewall(List<NetworkConfig> networks) {
        if (backends.isEmpty()) {
            add("firewall", "fail", "no firewall backend is installed (see patchbay plugins ls)");
            return;
        }
        String current = null;
        if (Files.isDirectory(stateDir.resolve("firewall"))) {
            try {
                current = firewall.host(stateDir, host).backend();
            } catch (RuntimeException e) {
                add("firewall", "fail", e.getMessage());
            }
        }
        for (Firewall b : backends) {
            boolean usable = b.usable(host);
            String role = b.backend().equals(current) ? " (the backend in use)" : "";
            if (usable) {
                add("firewall: " + b.backend(), "ok", "usable" + role);
            } else {
                add("firewall: " + b.backend(), b.backend().equals(current) ? "fail" : "warn",
                        "not usable here (" + (!privileged ? "not without CAP_NET_ADMIN"
                                : "nftables".equals(b.backend()) ? "the nf_tables kernel module or libnftables missing" : "its tools or kernel tables missing")
                                + ")" + role);
            }
            if (usable && !b.backend().equals("none") && (current == null || b.backend().equals(current))) { // nothing recorded yet: each usable one
                List<String> conflicts = b.conflicts(host);
                if (conflicts.isEmpty()) {
                    add("forward policy: " + b.backend(), "ok", "nothing of another tool drops what " + b.backend() + " accepts");
                } else {
                    boolean inUse = b.backend().equals(current) && !networks.isEmpty();
                    conflicts.forEach(c -> add("forward policy: " + b.backend(), inUse ? "fail" : "warn", c));
                }
            }
        }
        if (current != null) {
            rulesHeld(current);
        }
    }

    /** Every recorded owner's rules, and the backend's own part (tables, base chains, jumps), held by the kernel: read from it. */
    private void rulesHeld(String current) {
        try {
            var fw = firewall.host(stateDir, host);
            long owners = fw.rulesets().values().stream().filter(rs -> !rs.rules().isEmpty()).count();
            if (owners == 0) {
                return;
            }
            if (current.equals("none")) {
                add("firewall rules", "ok", "backend none: Patchbay keeps no rules here (" + owners + " owner(s) recorded)");
                return;
            }
            var drifted = fw.drifted();
            if (drifted.isEmpty()) {
                add("firewall rules", "ok", "the rules of all " + owners + " owner(s) recorded are whole in " + current);
            } else {
                add("firewall rules", "fail", "missing from " + current + " in " + host.describe() + " (flushed?): the rules of "
                        + String.join(", ", drifted.stream().map(o -> o.id()).toList()) + "; the daemon puts them back, or patchbay gc");
            }
        } catch (RuntimeException e) {
            add("firewall rules", "fail", e.getMessage());
        }
    }

    private void forwarding(List<NetworkConfig> networks) {
        try (NetnsHandle h = manager.stack().open(host)) {
            String v4 = h.sysctl().get("net.ipv4.ip_forward").orElse("?");
            if (v4.equals("1")) {
                add("ip_forward", "ok", "net.ipv4.ip_forward = 1");
            } else {
                add("ip_forward", networks.isEmpty() ? "ok" : "fail", "net.ipv4.ip_forward = " + v4 + (networks.isEmpty()
                        ? " (a network create turns it on)"
                        : ": containers reach nothing beyond the host; something turned it off after Patchbay set it (sysctl -w net.ipv4.ip_forward=1)"));
            }
            if (networks.stream().anyMatch(n -> n.subnet6() != null)) {
                String v6 = h.sysctl().get("net.ipv6.conf.all.forwarding").orElse("?");
                add("ipv6 forwarding", v6.equals("1") ? "ok" : "fail", "net.ipv6.conf.all.forwarding = " + v6);
            }
        } catch (RuntimeException e) {
            add("ip_forward", "fail", "cannot read it: " + e.getMessage());
        }
    }

    /** Networks whose subnet an address or a connected route of the host took since (another tool, an uplink's DHCP). */
    private void subnets(List<NetworkConfig> networks) {
        if (networks.isEmpty()) {
            return;
        }
        try (NetnsHandle h = manager.stack().open(host)) {
            List<String> found = new ArrayList<>();
            for (NetworkConfig n : networks) {
                HostSubnets.overlaps(manager, h, n).forEach(o -> found.add("network \"" + n.name() + "\": subnet " + o));
            }
            add("subnets", found.isEmpty() ? "ok" : "fail", found.isEmpty()
                    ? "no network's subnet is an address or a connected route of the host besides the network's own"
                    : String.join("; ", found) + ": the host and the network both claim those addresses (remove the host's, or make the network again on another subnet)");
        } catch (RuntimeException e) {
            add("subnets", "warn", "cannot read the host's addresses and routes: " + e.getMessage());
        }
    }

    /** Published ports that take the traffic of a socket a host process has bound (the DNAT comes first). */
    private void publishedPorts() {
        List<Attachment> published = new ArrayList<>();
        try {
            for (NetworkConfig n : HostPorts.networksIn(manager.stack(), stateDir, host)) {
                manager.attachments(stateDir).list(n.name()).stream().filter(a -> !a.ports().isEmpty()).forEach(published::add);
            }
        } catch (RuntimeException e) {
            return; // reported with the state directory
        }
        List<HostPorts.Listener> listeners;
        try {
            listeners = HostPorts.listeners(manager.stack(), host);
        } catch (RuntimeException e) {
            add("host ports", "warn", "cannot read the sockets of " + host.describe() + ": " + e.getMessage());
            return;
        }
        int shadowed = 0;
        for (Attachment a : published) {
            for (PortMapping p : a.ports()) {
                for (HostPorts.Listener l : listeners) {
                    if (HostPorts.shadows(p, l)) {
                        shadowed++;
                        add("host ports", "warn", "published " + p + " of container \"" + a.containerId() + "\" on network \"" + a.network()
                                + "\" takes the traffic of a host process listening on " + l + " (" + HostPorts.process(l.inode()) + ")");
                    }
                }
            }
        }
        if (shadowed == 0) {
            add("host ports", "ok", published.isEmpty() ? "no published ports" : "no published port shadows a host socket");
        }
    }

    /** Whether a daemon serves this namespace (the socket of DaemonSocket.path in the launcher). */
    private void daemon() {
        if (inDaemon) {
            add("daemon", "ok", "this report comes from the daemon (pid " + ProcessHandle.current().pid() + ")");
            return;
        }
        if (!(host instanceof NetnsRef.Current)) {
            add("daemon", "skip", "a daemon serves the namespace it runs in; this CLI acts in " + host.describe());
            return;
        }
        String ns;
        try {
            ns = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString().replaceAll("[^0-9]", "");
        } catch (IOException e) {
            add("daemon", "skip", "cannot name this namespace");
            return;
        }
        String dir = dev.patchbay.state.HostSetting.get(dev.patchbay.state.HostSetting.RUN_DIR); // the configuration's
        dir = dir != null ? dir : System.getenv("PATCHBAY_RUN_DIR");
        Path sock = Path.of(dir == null || dir.isEmpty() ? "/run/patchbay" : dir, "net-" + ns + ".sock");
        if (!Files.exists(sock, LinkOption.NOFOLLOW_LINKS)) {
            add("daemon", "ok", "none serves this namespace (each command starts in about 0.8 s; patchbay daemon serves them in 0.1 s)");
            return;
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(sock));
            add("daemon", "ok", "a daemon listens on " + sock + " (PATCHBAY_DAEMON=off bypasses it)");
        } catch (IOException e) {
            add("daemon", "warn", sock + " is left by a daemon that is gone (the next daemon removes it)");
        }
    }

    /** The kernel's build configuration (/proc/config.gz), empty when the kernel does not offer it. */
    private static String kernelConfig() {
        try (java.io.InputStream in = new java.util.zip.GZIPInputStream(Files.newInputStream(Path.of("/proc/config.gz")))) {
            return "\n" + new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    /** The value of {@code key} in /proc/self/status (tab-separated). */
    private static String field(String status, String key) {
        for (String line : status.split("\n")) {
            if (line.startsWith(key)) {
                return line.substring(key.length()).trim();
            }
        }
        return null;
    }
}
