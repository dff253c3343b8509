package dev.patchbay.doctor;

import dev.patchbay.core.firewall.Firewall;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import dev.patchbay.doctor.DoctorCommand.Check;
import dev.patchbay.firewall.host.FirewallManager;
import dev.patchbay.orchestrator.network.ContainerOptions;
import dev.patchbay.orchestrator.network.HostPorts;
import dev.patchbay.orchestrator.network.NetworkManager;
import dev.patchbay.orchestrator.network.Networks;
import dev.patchbay.orchestrator.network.Owners;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One attachment's way out, step by step, as {@code doctor NETWORK --netns C} walks it: the container's namespace, its
 * interface and addresses, the host side on the bridge with the gateway, the container's route to the gateway and its
 * default route, the gateway answering a ping from the container, forwarding, the uplink and the masquerade rule, and
 * each published port's rule in the kernel. A step that fails says what is missing; the steps that need it are skipped.
 */
final class Walk {
    private final NetworkManager manager;
    private final FirewallManager firewall;
    private final List<Firewall> backends;
    private final Path stateDir;
    private final NetnsRef host;
    private final NetworkStack stack;
    private List<Check> out;
    private String area;

    Walk(NetworkManager manager, FirewallManager firewall, List<Firewall> backends, Path stateDir, NetnsRef host) {
        this.manager = manager;
        this.firewall = firewall;
        this.backends = backends;
        this.stateDir = stateDir;
        this.host = host;
        this.stack = manager.stack();
    }

    private boolean add(String check, String status, String detail) {
        out.add(new Check(area, check, status, detail));
        return !status.equals("fail");
    }

    void run(String network, ContainerOptions container, List<Check> checks) {
        out = checks;
        String id;
        try {
            id = container.containerId();
        } catch (RuntimeException e) {
            area = "attachment";
            add("container", "fail", e.getMessage());
            return;
        }
        area = "container \"" + id + "\" on network \"" + network + "\"";
        Networks.Details details;
        try {
            details = manager.networks(stateDir).inspect(network);
        } catch (RuntimeException e) {
            add("network", "fail", e.getMessage());
            return;
        }
        NetworkConfig config = details.config();
        if (!HostPorts.networksIn(stack, stateDir, host).contains(config)) {
            add("network", "fail", "network \"" + network + "\" lives in " + details.host() + ", not in " + host.describe() + " (give -n)");
            return;
        }
        Optional<Attachment> found = details.attachments().stream().filter(a -> a.containerId().equals(id)).findFirst();
        if (found.isEmpty()) {
            add("attachment", "fail", "\"" + id + "\" is not attached to network \"" + network + "\" (patchbay ls " + network + " lists its containers)");
            return;
        }
        Attachment a = found.get();
        NetnsRef ctrRef = container.hasNamespace() ? container.ref() : NetnsRef.path(Path.of(a.netnsPath()));
        if (!Files.exists(ctrRef.path())) {
            add("namespace", "fail", ctrRef.describe() + " is gone (" + ctrRef.path() + "): nothing of the container is left to reach; patchbay gc detaches it");
            return;
        }
        add("namespace", "ok", ctrRef.describe());
        try (NetnsHandle ctr = stack.open(ctrRef); NetnsHandle h = stack.open(host)) {
            boolean inside = containerSide(ctr, a);
            boolean hostSide = hostSide(h, config, a);
            boolean routed = inside && routes(ctr, config, a);
            if (inside && hostSide && routed) {
                gateway(ctrRef, config, a);
            } else {
                add("gateway answers", "skip", "an earlier step failed");
            }
            forwarding(h, config);
            rules(config, a);
        }
    }

    /** The container's interface: there, up, with a carrier, holding the recorded addresses. */
    private boolean containerSide(NetnsHandle ctr, Attachment a) {
        Optional<Link> eth = ctr.links().find(LinkRef.name(a.ifName()));
        if (eth.isEmpty()) {
            return add("interface", "fail", "the container has no interface \"" + a.ifName() + "\" (deleted? patchbay gc repairs the attachment)");
        }
        Link l = eth.get();
        if (!l.up() || !l.lowerUp()) {
            return add("interface", "fail", a.ifName() + " is " + (!l.up() ? "down" : "up without a carrier (its host side is down or gone)"));
        }
        add("interface", "ok", a.ifName() + " is up");
        List<IpPrefix> held = ctr.addresses().list(LinkRef.name(a.ifName()), null);
        List<IpPrefix> missing = a.addresses().stream().filter(p -> !held.contains(p)).toList();
        if (!missing.isEmpty()) {
            return add("addresses", "fail", a.ifName() + " lacks " + missing + " (it holds " + held + ")");
        }
        return add("addresses", "ok", a.ifName() + " holds " + a.addresses());
    }

    /** The host side: the veth there and up, a port of the network's bridge, which is up and holds the gateway(s). */
    private boolean hostSide(NetnsHandle h, NetworkConfig config, Attachment a) {
        boolean ok = true;
        String bridgeName = config.option("bridge").orElse(null);
        Link bridge = null;
        if (bridgeName != null) {
            bridge = h.links().find(LinkRef.name(new IfName(bridgeName))).orElse(null);
            if (bridge == null) {
                return add("bridge", "fail", "bridge \"" + bridgeName + "\" is missing from " + host.describe()
                        + " (deleted, or the host rebooted): patchbay gc rebuilds it");
            }
            List<IpPrefix> held = h.addresses().list(LinkRef.name(new IfName(bridgeName)), null);
            List<String> missing = new ArrayList<>();
            for (IpPrefix gw : java.util.Arrays.asList(config.gatewayAddress(), config.gateway6Address())) {
                if (gw != null && held.stream().noneMatch(p -> p.address().equals(gw.address()))) {
                    missing.add(gw.toString());
                }
            }
            if (!bridge.up()) {
                ok = add("bridge", "fail", bridgeName + " is down");
            } else if (!missing.isEmpty()) {
                ok = add("bridge", "fail", bridgeName + " lacks the gateway address " + missing);
            } else {
                add("bridge", "ok", bridgeName + " is up with the gateway " + (config.gateway6() == null ? IpAddresses.format(config.gateway())
                        : IpAddresses.format(config.gateway()) + ", " + IpAddresses.format(config.gateway6())));
            }
        }
        if (a.hostIf() == null) {
            return ok;
        }
        Optional<Link> veth = h.links().find(LinkRef.name(a.hostIf()));
        if (veth.isEmpty()) {
            return add("host side", "fail", "the host side \"" + a.hostIf() + "\" is missing from " + host.describe());
        }
        if (!veth.get().up()) {
            return add("host side", "fail", a.hostIf() + " is down");
        }
        if (bridge != null && !Integer.valueOf(bridge.index()).equals(veth.get().masterIndex())) {
            return add("host side", "fail", a.hostIf() + " is not a port of " + bridgeName);
        }
        add("host side", "ok", a.hostIf() + " is up" + (bridge != null ? " on " + bridgeName : ""));
        return ok;
    }

    /** A route to each gateway through the interface, and which default route the container uses. */
    private boolean routes(NetnsHandle ctr, NetworkConfig config, Attachment a) {
        boolean ok = true;
        for (Family f : Family.values()) {
            InetAddress gw = f == Family.INET ? config.gateway() : config.gateway6();
            if (gw == null || a.addresses().stream().noneMatch(p -> p.family() == f)) {
                continue;
            }
            List<Route> routes = ctr.routes().list(f, null);
            boolean toGateway = routes.stream().anyMatch(r -> !r.isDefault() && a.ifName().equals(r.device()) && r.destination().contains(gw));
            String label = f == Family.INET ? "route to gateway" : "route to gateway (IPv6)";
            if (!toGateway) {
                ok &= add(label, "fail", "no route to " + IpAddresses.format(gw) + " through " + a.ifName());
                continue;
            }
            add(label, "ok", IpAddresses.format(gw) + " through " + a.ifName());
            List<Route> defaults = routes.stream().filter(Route::isDefault).sorted(java.util.Comparator.comparingInt(
                    r -> r.metric() == null ? 0 : r.metric())).toList();
            String dlabel = f == Family.INET ? "default route" : "default route (IPv6)";
            if (defaults.isEmpty()) {
                add(dlabel, "warn", "none: the container reaches its subnet and the host only");
            } else if (gw.equals(defaults.get(0).gateway())) {
                add(dlabel, "ok", "via " + IpAddresses.format(gw) + " (this network)");
            } else {
                Route r = defaults.get(0);
                add(dlabel, "ok", "via " + (r.gateway() == null ? "" : IpAddresses.format(r.gateway()) + " ") + "dev " + r.device()
                        + " (another network's): traffic beyond the host leaves by it; attach --default-route makes this one the default");
            }
        }
        return ok;
    }

    /** One echo from the container to each gateway: the bridge, the veth and the addresses working together. */
    private void gateway(NetnsRef ctrRef, NetworkConfig config, Attachment a) {
        for (InetAddress gw : java.util.Arrays.asList(config.gateway(), config.gateway6())) {
            if (gw == null || a.addresses().stream().noneMatch(p -> p.family() == Family.of(gw))) {
                continue;
            }
            String g = IpAddresses.format(gw);
            if (ping(ctrRef, g)) {
                add("gateway answers", "ok", g + " answers a ping from the container");
            } else {
                add("gateway answers", "fail", g + " does not answer a ping from the container though interface, addresses, bridge and"
                        + " route are in place: a firewall of the host drops it (br_netfilter? an INPUT policy?)");
            }
        }
    }

    private boolean ping(NetnsRef from, String address) {
        try {
            return stack.callIn(from, () -> {
                for (int attempt = 0; attempt < 3; attempt++) { // a fresh IPv6 address may still be tentative a moment
                    try {
                        Process p = new ProcessBuilder("ping", "-c", "1", "-W", "1", address).redirectErrorStream(true).start();
                        p.getInputStream().readAllBytes();
                        if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                            return true;
                        }
                    } catch (IOException noPing) { // no ping here: an ICMP echo of the JDK's (root may open raw sockets)
                        if (InetAddress.getByName(address).isReachable(1000)) {
                            return true;
                        }
                    }
                }
                return false;
            });
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void forwarding(NetnsHandle h, NetworkConfig config) {
        String v4 = h.sysctl().get("net.ipv4.ip_forward").orElse("?");
        if (!v4.equals("1")) {
            add("forwarding", "fail", "net.ipv4.ip_forward = " + v4 + " in " + host.describe() + ": the host routes nothing for the container");
        } else {
            add("forwarding", "ok", "the host forwards");
        }
        String uplink = config.option("uplink").orElse(null);
        if (uplink != null) {
            Optional<Link> up = h.links().find(LinkRef.name(new IfName(uplink)));
            if (up.isEmpty() || !up.get().up()) {
                add("uplink", "fail", "uplink \"" + uplink + "\" is " + (up.isEmpty() ? "missing" : "down") + " in " + host.describe());
            } else {
                add("uplink", "ok", uplink + " is up");
            }
        }
    }

    /** The network's masquerade and the container's published ports: recorded, and held by the kernel. */
    private void rules(NetworkConfig config, Attachment a) {
        boolean masquerade = config.flag("masquerade", false);
        if (!masquerade && a.ports().isEmpty()) {
            return;
        }
        Map<RulesetOwner, Ruleset> recorded;
        Set<RulesetOwner> inKernel; // the recorded owners the kernel holds whole
        String backend;
        try {
            recorded = firewall.host(stateDir, host).rulesets();
            backend = firewall.host(stateDir, host).backend();
            Firewall fw = backends.stream().filter(b -> b.backend().equals(backend)).findFirst().orElse(null);
            if (fw == null) {
                add("firewall", "fail", "backend \"" + backend + "\" is not installed");
                return;
            }
            inKernel = new java.util.HashSet<>(recorded.keySet());
            inKernel.removeAll(fw.drifted(host, recorded.values())); // held whole, with the backend's own part
        } catch (RuntimeException e) {
            add("firewall", "fail", e.getMessage());
            return;
        }
        if (masquerade) {
            RulesetOwner owner = Owners.network(config.name());
            Ruleset rs = recorded.get(owner);
            if (rs == null || rs.rulesOf(Rule.Masquerade.class).isEmpty()) {
                add("masquerade", "fail", "network \"" + config.name() + "\" has no masquerade rule recorded");
            } else if (!inKernel.contains(owner)) {
                add("masquerade", "fail", "the network's rules are missing from " + backend + " in " + host.describe()
                        + " (flushed?): the daemon puts them back, or patchbay gc");
            } else {
                add("masquerade", "ok", "in " + backend + " (out of " + config.option("uplink").orElse("any interface but the bridge") + ")");
            }
        }
        RulesetOwner owner = Owners.attachment(config.name(), a.containerId());
        Ruleset rs = recorded.get(owner);
        List<PortMapping> ruled = rs == null ? List.of() : rs.rulesOf(Rule.PortForward.class).stream().map(Rule.PortForward::mapping).toList();
        for (PortMapping p : a.ports()) {
            String check = "published " + p;
            if (!ruled.contains(p)) {
                add(check, "fail", "no rule recorded for it");
            } else if (!inKernel.contains(owner)) {
                add(check, "fail", "its rule is missing from " + backend + " in " + host.describe() + " (flushed?): the daemon puts it back, or patchbay gc");
            } else {
                add(check, "ok", "in " + backend);
            }
        }
    }
}
