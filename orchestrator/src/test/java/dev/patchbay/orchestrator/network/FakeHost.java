package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.firewall.Firewall;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.ipam.Allocation;
import dev.patchbay.core.ipam.AllocationRecord;
import dev.patchbay.core.ipam.AllocationRequest;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.ipam.IpamConfig;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.firewall.host.FirewallService;
import dev.patchbay.testing.FakeNetworkStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A host over {@link FakeNetworkStack}, for the use cases end to end without a kernel: a bridge driver (type "bridge", as the real one: gc checks a bridge's gateway and forwarding) that makes
 * what the real one makes (a bridge, up, holding the gateway, forwarding on; per container a veth pair, the container's
 * end named and addressed, the host's end a port of the bridge), an in-memory IPAM and firewall backend, and the
 * orchestrator wired to them over a state folder. Namespaces are files in the test's folder (as the kernel's are), so a
 * deleted file is a container gone.
 */
public final class FakeHost {
    final FakeNetworkStack stack = new FakeNetworkStack();
    final MemoryIpam ipam = new MemoryIpam();
    final MemoryFirewall fw = new MemoryFirewall();
    final BridgeDriver driver = new BridgeDriver();
    final NetworkManager m = new NetworkManager();
    final Path dir;
    final Path state;
    final NetnsRef host;

    public FakeHost(Path dir) {
        this.dir = dir;
        this.state = dir.resolve("state");
        m.stack = hostSocketsFrom(stack);
        m.ipam = ipam;
        FirewallService fs = new FirewallService();
        fs.add(fw, 100);
        m.firewall = fs;
        m.addPlugin(driver, ChainRollbackTest.ref("bridge", "dev.patchbay.test.bridge", 10, 0));
        host = namespace("host");
    }

    /** Whether a ping from a container to its gateway answers (doctor's walk). */
    public boolean gatewayAnswers = true;

    /** The fake, but doctor's ping from a container answers {@link #gatewayAnswers}. */
    private dev.patchbay.core.spi.NetworkStack hostSocketsFrom(FakeNetworkStack fake) {
        return (dev.patchbay.core.spi.NetworkStack) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {dev.patchbay.core.spi.NetworkStack.class}, (proxy, method, args) -> {
                    if (method.getName().equals("callIn") && args[1].getClass().getName().startsWith("dev.patchbay.doctor.Walk$$")) {
                        return gatewayAnswers; // doctor's ping from the container: no real ping in a fake namespace
                    }
                    try {
                        return method.invoke(fake, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** A namespace made as a file in the test's folder (its "bind mount") and in the fake kernel. */
    public NetnsRef namespace(String name) {
        try {
            NetnsRef ref = NetnsRef.path(Files.createFile(dir.resolve(name)));
            stack.netns(ref);
            return ref;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public FakeNetworkStack.Netns kernel(NetnsRef ref) {
        return stack.netns(ref);
    }

    /** Creates network {@code name} on {@code subnet} (its gateway the first address), bridge {@code pb-NAME}. */
    public NetworkConfig create(String name, String subnet) {
        IpPrefix p = IpPrefix.parse(subnet);
        String gw = subnet.substring(0, subnet.lastIndexOf('.')) + ".1";
        ipam.prefixes.put(name, subnet.substring(0, subnet.lastIndexOf('.') + 1));
        return networks().create(host, new NetworkConfig(name, "bridge", null, p, IpAddresses.parse("gw", gw), null, null, Map.of()), true);
    }

    /** The tests' common start: network "n" on 10.9.0.0/24 and container "c1" attached to it, publishing {@code ports}; returns c1. */
    public Attachment oneNetworkOneContainer(String... ports) {
        create("n", "10.9.0.0/24");
        return attach("n", "c1", ports);
    }

    /** Attaches a container (a new namespace named as it) to {@code network} as eth0, publishing {@code ports}. */
    public Attachment attach(String network, String containerId, String... ports) {
        return attach(network, containerId, namespace(containerId), "eth0", ports);
    }

    /** Attaches a container of namespace {@code ctr} (one it has already, say) as {@code ifName}. */
    Attachment attach(String network, String containerId, NetnsRef ctr, String ifName, String... ports) {
        return attachments().attach(host, new AttachRequest(network, containerId, ctr, new IfName(ifName), List.of(), null,
                java.util.Arrays.stream(ports).map(PortMapping::parse).toList()));
    }

    /** Installs {@code plugin} as the provider of {@code type} (a third party's bundle). */
    public void install(String type, NetworkPlugin plugin) {
        m.addPlugin(plugin, ChainRollbackTest.ref(type, "dev.patchbay.test." + type, 20, 0));
    }

    /** The same, with more service properties (e.g. its {@link NetworkPlugin#ATTACH_OPTIONS}). */
    public void install(String type, NetworkPlugin plugin, Map<String, Object> properties) {
        m.addPlugin(plugin, ChainRollbackTest.ref(type, "dev.patchbay.test." + type, 20, 0, properties));
    }

    /** For tests of other packages (doctor): what this package reaches directly. */
    public NetworkManager manager() {
        return m;
    }

    public Ipam ipam() {
        return ipam;
    }

    public dev.patchbay.firewall.host.FirewallManager firewall() {
        return m.firewall;
    }

    public MemoryFirewall backend() {
        return fw;
    }

    public Path state() {
        return state;
    }

    public NetnsRef host() {
        return host;
    }

    public FakeNetworkStack stack() {
        return stack;
    }

    /** The container options of {@code --id ID}. */
    public static ContainerOptions container(String id) {
        ContainerOptions o = new ContainerOptions();
        o.id = id;
        return o;
    }

    Networks networks() {
        return m.networks(state);
    }

    Attachments attachments() {
        return m.attachments(state);
    }

    Recovery recovery() {
        return m.recovery(state);
    }

    NetworkStore store() {
        return new NetworkStore(state);
    }

    /** The bridge driver over the fake kernel; {@code failSetUp}: its next attach set-up fails after making the veth pair. */
    static final class BridgeDriver implements NetworkPlugin {
        boolean failSetUp;

        @Override public Map<String, String> options() { return Map.of("bridge", "the bridge's name"); }
        @Override public Map<String, String> defaults(NetworkConfig config) { return Map.of("bridge", "pb-" + config.name()); }
        @Override public Set<String> capabilities() { return Set.of(PORT_MAPPINGS); }
        @Override public IfName hostInterface(NetworkConfig config) { return new IfName(config.options().get("bridge")); }
        @Override public void validate(NetworkContext ctx, List<NetworkConfig> others) { }
        /** The real driver's is firewall, portmap; none here unless a test installs them. */
        List<String> defaultChain = List.of();
        @Override public List<String> defaultChain() { return defaultChain; }

        /** As the real driver reads its bridge back: the bridge its attachments' links are ports of. */
        @Override
        public Map<String, String> recover(NetnsHandle host, String name, List<Rule> rules, List<Attachment> attachments) {
            for (Attachment a : attachments) {
                var port = host.links().find(LinkRef.name(hostIf(a)));
                var br = port.isEmpty() || port.get().masterIndex() == null ? java.util.Optional.<dev.patchbay.core.model.Link>empty()
                        : host.links().find(LinkRef.index(port.get().masterIndex()));
                if (br.isPresent()) {
                    return Map.of("bridge", br.get().name().value());
                }
            }
            return host.links().find(LinkRef.name("pb-" + name)).isPresent() ? Map.of("bridge", "pb-" + name) : Map.of(); // as the real one guesses
        }

        @Override
        public void setUpNetwork(NetworkContext ctx) {
            IfName br = ctx.hostInterface();
            ctx.host().links().ensure(new LinkSpec.Bridge(br, null, null));
            ctx.host().links().setUp(LinkRef.name(br), true);
            ctx.host().addresses().ensure(LinkRef.name(br), ctx.config().gatewayAddress());
            ctx.host().sysctl().ensure("net.ipv4.ip_forward", "1");
        }

        /** As the real bridge driver checks its part: the bridge, up, with the gateway, forwarding on; each port on it. */
        @Override
        public List<String> checkNetwork(NetworkContext ctx) {
            IfName br = ctx.hostInterface();
            var l = ctx.host().links().find(LinkRef.name(br));
            List<String> missing = new ArrayList<>();
            if (l.isEmpty() || !l.get().up()) {
                missing.add("bridge \"" + br + "\"" + (l.isEmpty() ? "" : " up"));
            }
            if (l.isPresent() && !ctx.host().addresses().list(LinkRef.name(br), null).contains(ctx.config().gatewayAddress())) {
                missing.add("gateway on \"" + br + "\"");
            }
            if (l.isPresent() && !"1".equals(ctx.host().sysctl().get("net.ipv4.ip_forward").orElse("1").strip())) {
                missing.add("net.ipv4.ip_forward=1");
            }
            return missing;
        }

        @Override
        public List<String> check(NetworkContext ctx, Attachment a) {
            var port = ctx.host().links().find(LinkRef.name(hostIf(a)));
            var br = ctx.host().links().find(LinkRef.name(ctx.hostInterface()));
            return port.isEmpty() || br.isPresent() && Integer.valueOf(br.get().index()).equals(port.get().masterIndex()) && port.get().up()
                    ? List.of() : List.of("link \"" + hostIf(a) + "\" on \"" + ctx.hostInterface() + "\"");
        }

        @Override
        public boolean repair(NetworkContext ctx, Attachment a) {
            ctx.host().links().setMaster(LinkRef.name(hostIf(a)), LinkRef.name(ctx.hostInterface()));
            ctx.host().links().setUp(LinkRef.name(hostIf(a)), true);
            return true;
        }

        @Override
        public void tearDownNetwork(NetworkContext ctx, ErrorCollector errors) {
            errors.run("delete the bridge", () -> ctx.host().links().find(LinkRef.name(ctx.hostInterface()))
                    .ifPresent(l -> ctx.host().links().delete(LinkRef.index(l.index()))));
        }

        @Override
        public Attachment setUp(NetworkContext ctx, AttachRequest request, Attachment previous) {
            IfName hostIf = hostIf(previous);
            ctx.host().links().add(new LinkSpec.Veth(hostIf, previous.ifName(), request.container(), null, null, previous.mac()));
            if (failSetUp) {
                failSetUp = false;
                throw new dev.patchbay.core.errors.PatchbayException("br failed to set up \"" + previous.containerId() + "\"");
            }
            try (NetnsHandle ctr = ctx.stack().open(request.container())) {
                for (IpPrefix a : previous.addresses()) {
                    ctr.addresses().add(LinkRef.name(previous.ifName()), a);
                }
                ctr.links().setUp(LinkRef.name(previous.ifName()), true);
                ctr.routes().add(dev.patchbay.core.model.Route.onLink(ctx.config().subnet(), previous.ifName()));
                if (ctr.routes().list(null, null).stream().noneMatch(dev.patchbay.core.model.Route::isDefault)) { // the first network's
                    ctr.routes().add(dev.patchbay.core.model.Route.defaultVia(ctx.config().gateway()));
                }
            }
            ctx.host().links().setMaster(LinkRef.name(hostIf), LinkRef.name(ctx.hostInterface()));
            ctx.host().links().setUp(LinkRef.name(hostIf), true);
            return new Attachment(previous.network(), previous.containerId(), previous.netnsPath(), previous.ifName(), hostIf,
                    previous.mac(), previous.addresses(), previous.ports());
        }

        @Override
        public void tearDown(NetworkContext ctx, Attachment attachment, ErrorCollector errors) {
            IfName hostIf = hostIf(attachment);
            errors.run("delete " + hostIf, () -> ctx.host().links().find(LinkRef.name(hostIf))
                    .ifPresent(l -> ctx.host().links().delete(LinkRef.index(l.index()))));
        }

        @Override
        public void networkRules(NetworkContext ctx, List<Rule> rules) {
            rules.add(new Rule.Masquerade(ctx.config().subnet(), ctx.hostInterface()));
        }

        @Override
        public void attachmentRules(NetworkContext ctx, Attachment a, List<Rule> rules) {
            a.ports().forEach(p -> rules.add(new Rule.PortForward(p, a.addresses().get(0).address())));
        }

        static IfName hostIf(Attachment a) {
            String id = a.containerId().replaceAll("[^A-Za-z0-9]", "");
            return new IfName("vb" + id.substring(0, Math.min(id.length(), 12)));
        }
    }

    /** Addresses handed out in order from .2, one per owner and interface; {@code gc} frees what no valid attachment holds, unless live. */
    static final class MemoryIpam implements Ipam {
        final Map<String, InetAddress> held = new LinkedHashMap<>();
        /** Per network, the first three octets of its /24 ({@code 10.9.0.}). */
        final Map<String, String> prefixes = new LinkedHashMap<>();

        @Override public void validate(IpamConfig config) { }

        @Override
        public Allocation allocate(AllocationRequest r) {
            String net = r.config().rangeSets().get(0).ranges().get(0).subnet().address().getHostAddress();
            String prefix = prefixes.getOrDefault(r.network(), net.substring(0, net.lastIndexOf('.') + 1));
            for (int i = 2; i < 255; i++) {
                InetAddress ip = IpAddresses.parse("ip", prefix + i);
                if (!held.containsValue(ip) && !r.inUse().test(ip)) {
                    held.put(r.network() + "/" + r.ownerId() + "/" + r.ifName(), ip);
                    return new Allocation(List.of(new Allocation.Address(IpPrefix.of(ip, 24), null, 0)), List.of(), null);
                }
            }
            throw new dev.patchbay.core.errors.PatchbayException("no address left");
        }

        @Override
        public List<InetAddress> release(Path dataDir, String network, String ownerId, IfName ifName) {
            InetAddress ip = held.remove(network + "/" + ownerId + "/" + ifName);
            return ip == null ? List.of() : List.of(ip);
        }

        @Override
        public GcResult gc(Path dataDir, String network, Set<dev.patchbay.core.ipam.Attachment> valid, Predicate<InetAddress> live) {
            List<InetAddress> freed = new ArrayList<>();
            List<AllocationRecord> kept = new ArrayList<>();
            for (Map.Entry<String, InetAddress> e : List.copyOf(held.entrySet())) {
                String[] k = e.getKey().split("/");
                if (!k[0].equals(network) || valid.contains(new dev.patchbay.core.ipam.Attachment(k[1], new IfName(k[2])))) {
                    continue;
                }
                if (live.test(e.getValue())) {
                    kept.add(new AllocationRecord(network, e.getValue(), k[1], k[2]));
                } else {
                    held.remove(e.getKey());
                    freed.add(e.getValue());
                }
            }
            return new GcResult(freed, kept);
        }

        @Override
        public List<AllocationRecord> list(Path dataDir, String network) {
            return held.entrySet().stream().filter(e -> e.getKey().startsWith(network + "/")).map(e -> {
                String[] k = e.getKey().split("/");
                return new AllocationRecord(network, e.getValue(), k[1], k[2]);
            }).toList();
        }
        @Override public List<String> networks(Path dataDir) { return List.of(); }
    }

    /** A firewall backend holding rulesets by owner; what it holds is "the kernel's". */
    public static final class MemoryFirewall implements Firewall {
        public final Map<RulesetOwner, Ruleset> held = new LinkedHashMap<>();
        /** Thrown, once, by the next {@link #apply} instead of applying (a backend that refuses a ruleset). */
        public RuntimeException refuseNext;

        @Override public String backend() { return "memory"; }
        @Override public boolean usable(NetnsRef host) { return true; }
        @Override public String render(Ruleset desired) { return desired.toString(); }
        @Override public String plan(NetnsRef host, Ruleset desired) { return render(desired); }
        @Override
        public void apply(NetnsRef host, Ruleset desired) {
            RuntimeException refused = refuseNext;
            refuseNext = null;
            if (refused != null) {
                throw refused;
            }
            held.put(desired.owner(), desired);
        }

        @Override
        public List<String> remove(NetnsRef host, RulesetOwner owner) {
            held.remove(owner);
            return List.of();
        }

        @Override public Set<RulesetOwner> owners(NetnsRef host) { return Set.copyOf(held.keySet()); }
    }
}
