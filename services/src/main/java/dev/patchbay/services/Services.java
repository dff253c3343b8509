package dev.patchbay.services;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.ipam.AllocationRequest;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.ipam.IpamConfig;
import dev.patchbay.core.ipam.IpRange;
import dev.patchbay.core.ipam.RangeSet;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.model.Protocol;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.firewall.host.FirewallHost;
import dev.patchbay.firewall.host.FirewallManager;
import dev.patchbay.orchestrator.network.NetworkManager;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The service use cases of one state directory and host namespace. Each checks everything first, then changes the
 * kernel and the records step by step, undoing the steps done in reverse when one fails: the VIP reserved in the
 * network's IPAM (owner {@code svc:NAME}), put on the network's bridge as a /32 (the host answers for it), the backends'
 * bridge ports made hairpin (a backend reaching its own service), the rules applied through the firewall host under
 * owner {@code svc:NAME}, the record written.
 */
final class Services {
    /** The interface name the VIP's reservation is made for. */
    static final IfName VIP_IF = IfName.of("vip");

    private final NetworkManager manager;
    private final FirewallManager firewall;
    private final Ipam ipam;
    private final Path stateDir;
    private final NetnsRef host;
    private final ServiceStore store;

    Services(NetworkManager manager, FirewallManager firewall, Ipam ipam, Path stateDir, NetnsRef host) {
        this.manager = manager;
        this.firewall = firewall;
        this.ipam = ipam;
        this.stateDir = stateDir;
        this.host = host;
        this.store = new ServiceStore(stateDir);
    }

    List<ServiceRecord> list() {
        return store.list();
    }

    ServiceRecord inspect(String name) {
        return store.find(ServiceRecord.checkName(name)).orElseThrow(() -> NotFoundException.of("service", name, "in " + stateDir));
    }

    /** {@code --port PORT/PROTO}: the port and protocol, checked. */
    static Object[] port(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        Protocol p = Protocol.parse(slash < 0 ? "tcp" : text.substring(slash + 1));
        int port = number("--port", text, slash < 0 ? text : text.substring(0, slash));
        return new Object[] {port, p};
    }

    private static int number(String field, String whole, String text) {
        try {
            int n = Integer.parseInt(text);
            if (n >= 1 && n <= 65535) {
                return n;
            }
        } catch (NumberFormatException | NullPointerException e) {
            // the message below names it
        }
        throw new InvalidInputException(field, whole, "expected a port 1-65535" + (field.equals("--port") ? " and a protocol, e.g. 80/tcp" : ""));
    }

    ServiceRecord create(String name, String network, List<String> vip, String portText, List<String> backends, String balance) {
        return create(name, network, vip, portText, backends, balance, null, null, List.of());
    }

    ServiceRecord create(String name, String network, List<String> vip, String portText, List<String> backends, String balance, String healthText,
                         Integer affinityText, List<String> publishText) {
        ServiceRecord.checkName(name);
        String health = ServiceRecord.checkHealth(healthText);
        int affinity = ServiceRecord.checkAffinity(affinityText);
        Object[] pp = port(portText);
        int port = (Integer) pp[0];
        Protocol protocol = (Protocol) pp[1];
        String mode = ServiceRecord.checkBalance(balance);
        List<String> publish = publishText == null ? List.of() : List.copyOf(publishText);
        List<PortMapping> mappings = new ArrayList<>();
        for (String p : publish) {
            mappings.add(ServiceRecord.mapping(p, port, protocol.label()));
        }
        return store.locked(() -> {
            if (store.find(name).isPresent()) {
                throw new AlreadyExistsException("failed to create service \"" + name + "\": it exists");
            }
            NetworkConfig config = network(network);
            IfName bridge = bridge(config);
            List<InetAddress> asked = vips(config, vip);
            List<ServiceRecord.Backend> bs = new ArrayList<>();
            for (String b : backends) {
                ServiceRecord.Backend backend = backend(config, b, port);
                if (bs.stream().anyMatch(x -> x.netns().equals(backend.netns()) && x.port() == backend.port())) {
                    throw new InvalidInputException("--backend", b, "is given twice");
                }
                bs.add(backend);
            }
            new Rule.Balance(config.gateway(), protocol, port, List.of(), Rule.Balance.Mode.ROUND_ROBIN, affinity);
            ServicePublish.check(manager.stack(), firewall.host(stateDir, host), host, config, publish, mappings);
            Deque<Runnable> undo = new ArrayDeque<>();
            ServiceJournal journal = new ServiceJournal(stateDir);
            journal.begin(new ServiceJournal.Pending(name, network, ServiceRecord.host(host), List.of())); // a crash from here: gc undoes it
            try {
                List<InetAddress> vips = reserve(config, name, asked);
                undo.push(() -> ipam.release(ipamDir(config), config.name(), ServiceRecord.owner(name).id(), VIP_IF));
                journal.begin(new ServiceJournal.Pending(name, network, ServiceRecord.host(host), vips.stream().map(IpAddresses::format).toList()));
                ServiceRecord r = new ServiceRecord(name, network, ServiceRecord.host(host), IpAddresses.format(vips.get(0)), port, protocol.label(),
                        mode, bs, health, affinity, publish, vips.size() > 1 ? IpAddresses.format(vips.get(1)) : null);
                for (InetAddress a : vips) {
                    IpPrefix one = IpPrefix.of(a, a.getAddress().length * 8);
                    try (NetnsHandle h = manager.stack().open(host)) {
                        h.addresses().add(LinkRef.name(bridge), one);
                    }
                    undo.push(() -> {
                        try (NetnsHandle h = manager.stack().open(host)) {
                            h.addresses().delete(LinkRef.name(bridge), one);
                        }
                    });
                }
                hairpin(config, bs);
                FirewallHost fw = firewall.host(stateDir, host);
                fw.apply(r.ruleset());
                undo.push(() -> fw.remove(r.owner()));
                store.put(r);
                journal.end(name);
                return r;
            } catch (RuntimeException e) {
                undo.add(() -> journal.end(name)); // last: rolled back
                rollBack(undo, e);
                throw e;
            }
        });
    }

    /**
     * A create whose process died in the middle ({@link ServiceJournal}): recorded after all (it completed but for the
     * journal's entry), or undone: its rules, its VIPs on the bridge, their reservation. True when there was one to undo.
     */
    boolean recover(ServiceJournal.Pending p) {
        return store.locked(() -> {
            ServiceJournal journal = new ServiceJournal(stateDir);
            if (journal.all().stream().noneMatch(x -> x.name().equals(p.name()))) {
                return false;
            }
            if (store.find(p.name()).isEmpty()) {
                undo(p.name(), p.network(), p.vips());
            }
            journal.end(p.name());
            return true;
        });
    }

    ServiceRecord remove(String name) {
        return store.locked(() -> {
            ServiceRecord r = inspect(name);
            undo(name, r.network(), r.vip6() == null ? List.of(r.vip()) : List.of(r.vip(), r.vip6()));
            store.remove(name);
            return r;
        });
    }

    /** What a service made, gone: its rules, its VIPs on the network's bridge, their reservation (each only if there). */
    private void undo(String name, String network, List<String> vips) {
        String owner = ServiceRecord.owner(name).id();
        firewall.host(stateDir, host).remove(ServiceRecord.owner(name));
        NetworkConfig config = manager.networks(stateDir).find(network).orElse(null);
        if (config != null) {
            try (NetnsHandle h = manager.stack().open(host)) {
                IfName bridge = bridge(config);
                for (String v : vips) {
                    InetAddress a = IpAddresses.parse("vip", v);
                    IpPrefix one = IpPrefix.of(a, a.getAddress().length * 8);
                    if (h.links().find(LinkRef.name(bridge)).isPresent() && h.addresses().list(LinkRef.name(bridge), null).contains(one)) {
                        h.addresses().delete(LinkRef.name(bridge), one); // a gone bridge took its VIP with it
                    }
                }
            }
            ipam.release(ipamDir(config), config.name(), owner, VIP_IF);
        } else if (java.nio.file.Files.isDirectory(Ipam.dataDir(stateDir).resolve(network))) {
            ipam.release(Ipam.dataDir(stateDir), network, owner, VIP_IF); // the network went (with its bridge and VIP)
        }
    }

    /** {@code service backend add|rm}: the service with one backend more or less, applied, then recorded. */
    ServiceRecord backend(String name, String spec, boolean add) {
        return store.locked(() -> {
            ServiceRecord r = inspect(name);
            NetworkConfig config = network(r.network());
            ServiceRecord.Backend b = add ? backend(config, spec, r.port()) : parse(spec, r.port(), r);
            List<ServiceRecord.Backend> now = new ArrayList<>(r.backends());
            boolean held = now.removeIf(x -> x.netns().equals(b.netns()) && x.port() == b.port());
            if (add && held) {
                throw new AlreadyExistsException("failed to add backend \"" + spec + "\" to service \"" + name + "\": it is one already");
            }
            if (!add && !held) {
                throw new NotFoundException("failed to remove backend \"" + spec + "\" from service \"" + name + "\": it is none of "
                        + r.backends());
            }
            if (add) {
                now.add(b);
                hairpin(config, List.of(b));
            }
            return replace(r, r.withBackends(now));
        });
    }

    /** {@code was} becomes {@code changed}: its rules applied, then recorded; the rules put back if the record cannot be written. */
    private ServiceRecord replace(ServiceRecord was, ServiceRecord changed) {
        FirewallHost fw = firewall.host(stateDir, host);
        fw.apply(changed.ruleset());
        try {
            store.put(changed);
        } catch (RuntimeException e) {
            rollBack(new ArrayDeque<>(List.<Runnable>of(() -> fw.apply(was.ruleset()))), e);
            throw e;
        }
        return changed;
    }

    /**
     * A health check's verdict: backend {@code netns}:{@code port} of service {@code name} is now {@code down} (or up), its
     * rules applied without (or with) it, then recorded. Null when nothing changed (the service or backend is gone, or
     * already so).
     */
    ServiceRecord health(String name, String netns, int port, boolean down) {
        return store.locked(() -> {
            ServiceRecord r = store.find(name).orElse(null);
            if (r == null || r.backends().stream().noneMatch(b -> b.netns().equals(netns) && b.port() == port && b.down() != down)) {
                return null;
            }
            return replace(r, r.withBackends(r.backends().stream()
                    .map(b -> b.netns().equals(netns) && b.port() == port ? b.withDown(down) : b).toList()));
        });
    }

    /** A backend to remove: NETNS[:PORT] as recorded (its container may be detached already). */
    private static ServiceRecord.Backend parse(String spec, int servicePort, ServiceRecord r) {
        int colon = spec == null ? -1 : spec.lastIndexOf(':');
        String netns = colon < 0 ? spec : spec.substring(0, colon);
        int port = colon < 0 ? servicePort : number("--backend", spec, spec.substring(colon + 1));
        return new ServiceRecord.Backend(netns, null, "", port);
    }

    /** NETNS[:PORT]: a container attached to the network, at its address there; the service's port when none is given. */
    private ServiceRecord.Backend backend(NetworkConfig config, String spec, int servicePort) {
        ServiceRecord.Backend b = parse(spec, servicePort, null);
        if (b.netns() == null || b.netns().isEmpty()) {
            throw new InvalidInputException("--backend", spec, "expected NETNS[:PORT]");
        }
        Attachment a = attachment(config, b.netns()).orElseThrow(() -> new InvalidInputException("--backend", spec,
                "is not attached to network \"" + config.name() + "\" (see patchbay attach)"));
        InetAddress address = a.addresses().stream().filter(IpPrefix::isV4).map(IpPrefix::address).findFirst()
                .orElseThrow(() -> new InvalidInputException("--backend", spec, "has no IPv4 address on network \"" + config.name() + "\""));
        String address6 = a.addresses().stream().filter(x -> !x.isV4()).map(x -> IpAddresses.format(x.address())).findFirst().orElse(null);
        return new ServiceRecord.Backend(b.netns(), a.containerId(), IpAddresses.format(address), b.port(), false, address6);
    }

    private java.util.Optional<Attachment> attachment(NetworkConfig config, String netns) {
        return manager.attachments(stateDir).list(config.name()).stream()
                .filter(a -> a.containerId().equals(netns) || a.netnsPath() != null && !a.netnsPath().isEmpty()
                        && Path.of(a.netnsPath()).getFileName().toString().equals(netns))
                .findFirst();
    }

    /** Hairpin on each backend's bridge port: under bridge netfilter, a DNAT back to the sender leaves by the port it came in. */
    private void hairpin(NetworkConfig config, List<ServiceRecord.Backend> bs) {
        try (NetnsHandle h = manager.stack().open(host)) {
            for (ServiceRecord.Backend b : bs) {
                attachment(config, b.netns()).map(Attachment::hostIf)
                        .ifPresent(port -> h.links().setBridgePort(LinkRef.name(port), true, null));
            }
        }
    }

    private NetworkConfig network(String name) {
        if (name == null) {
            throw new InvalidInputException("--network", null, "is required");
        }
        return manager.networks(stateDir).find(name).orElseThrow(() -> new InvalidInputException("--network", name,
                "is no network of " + stateDir + " (see patchbay network ls)"));
    }

    /** The network's bridge, as its forward rule names it: a service needs one. */
    private IfName bridge(NetworkConfig config) {
        Ruleset rs = firewall.host(stateDir, host).rulesets().get(dev.patchbay.orchestrator.network.Owners.network(config.name()));
        List<Rule.BridgeForward> fwd = rs == null ? List.of() : rs.rulesOf(Rule.BridgeForward.class);
        if (fwd.isEmpty()) {
            throw new InvalidInputException("--network", config.name(), "has no bridge with forwarding rules (driver \"" + config.driver()
                    + "\"): a service needs a bridge network");
        }
        return fwd.get(0).bridge();
    }

    /**
     * The VIP from the network's IPv4 range, as an attachment's address would be: the one asked for, or the next free; on
     * a dual-stack network an IPv6 VIP from its IPv6 range too, in the same reservation.
     */
    private List<InetAddress> reserve(NetworkConfig config, String name, List<InetAddress> asked) {
        List<RangeSet> sets = new ArrayList<>(List.of(RangeSet.of(range(config, NetworkManager.IPAM_RANGE, config.subnet(), config.gateway()))));
        if (config.subnet6() != null) {
            sets.add(RangeSet.of(range(config, NetworkManager.IPAM_RANGE6, config.subnet6(), config.gateway6())));
        }
        IpamConfig ic = IpamConfig.of(sets.toArray(RangeSet[]::new));
        AllocationRequest req = AllocationRequest.of(ipamDir(config), config.name(), ServiceRecord.owner(name).id(), VIP_IF, ic);
        return ipam.allocate(asked.isEmpty() ? req : req.withRequested(asked.toArray(InetAddress[]::new))).addresses().stream()
                .map(a -> a.address().address()).toList();
    }

    /** {@code --vip ADDR} (at most one of each family the network has): each inside the network's subnet of its family. */
    private static List<InetAddress> vips(NetworkConfig config, List<String> texts) {
        List<InetAddress> out = new ArrayList<>();
        for (String text : texts == null ? List.<String>of() : texts) {
            InetAddress a = IpAddresses.parse("--vip", text);
            boolean v4 = a.getAddress().length == 4;
            IpPrefix subnet = v4 ? config.subnet() : config.subnet6();
            if (subnet == null) {
                throw new InvalidInputException("--vip", text, "is IPv6, and network \"" + config.name() + "\" has no IPv6 subnet");
            }
            if (!subnet.contains(a)) {
                throw new InvalidInputException("--vip", text, "is not inside network \"" + config.name() + "\"'s subnet " + subnet);
            }
            if (out.stream().anyMatch(x -> (x.getAddress().length == 4) == v4)) {
                throw new InvalidInputException("--vip", text, "is a second " + (v4 ? "IPv4" : "IPv6") + " VIP: give one of each family at most");
            }
            out.add(a);
        }
        return out;
    }

    private static IpRange range(NetworkConfig config, String option, IpPrefix subnet, InetAddress gateway) {
        String range = config.options().get(option);
        InetAddress first = null;
        InetAddress last = null;
        if (range != null && range.contains("-")) {
            int dash = range.indexOf('-');
            first = dash == 0 ? null : IpAddresses.parse(option, range.substring(0, dash));
            last = dash == range.length() - 1 ? null : IpAddresses.parse(option, range.substring(dash + 1));
        }
        return new IpRange(subnet, first, last, gateway);
    }

    private Path ipamDir(NetworkConfig config) {
        String dir = config.options().get(NetworkManager.IPAM_DIR);
        return dir == null ? Ipam.dataDir(stateDir) : Path.of(dir);
    }

    private static void rollBack(Deque<Runnable> undo, RuntimeException cause) {
        while (!undo.isEmpty()) {
            try {
                undo.pop().run();
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
    }
}
