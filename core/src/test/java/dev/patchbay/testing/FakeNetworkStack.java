package dev.patchbay.testing;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.ListeningSocket;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.model.Neighbour;
import dev.patchbay.core.model.NetnsId;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.PolicyRule;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.spi.AddressOps;
import dev.patchbay.core.spi.LinkOps;
import dev.patchbay.core.spi.NeighbourOps;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetnsOps;
import dev.patchbay.core.spi.NetworkStack;
import dev.patchbay.core.spi.QdiscOps;
import dev.patchbay.core.spi.RouteOps;
import dev.patchbay.core.spi.RuleOps;
import dev.patchbay.core.spi.SysctlOps;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * An in-memory {@link NetworkStack} for unit tests: namespaces (keyed by their file, so a name and its
 * path are the same namespace) holding links, addresses, routes, rules, neighbours and sysctls, answering
 * as the netlink backend does: absent objects {@link NotFoundException}, taken names
 * {@link AlreadyExistsException}; deleting one end of a veth deletes both; a route via a gateway needs an
 * address of the gateway's subnet on a link that is up; sysctls exist only as the kernel has them
 * ({@code net.ipv4.ip_forward}, {@code net.ipv6.conf.all.forwarding}, and per link
 * {@code net.ipv4.conf.L.route_localnet|forwarding}, {@code net.ipv6.conf.L.accept_dad|disable_ipv6|forwarding});
 * a namespace no path and no open handle refers to any more loses its links (and their veth peers elsewhere).
 *
 * <p>Every change is recorded in {@link #calls()} as {@code NETNS OP TARGET} (e.g.
 * {@code red links.setUp eth0 up}); reads are not recorded. {@link #failOn} makes the Nth call of any
 * operation (op names as in {@link #calls()}: {@code links.add}, {@code addresses.list}, {@code sysctl.ensure},
 * {@code stack.open}, {@code netns.delete}, ...) throw, before it changes anything. The current namespace exists from the
 * start; others are made by {@link #netns(NetnsRef)} or {@link NetnsOps#create}. Thread-safe: one lock.
 */
public final class FakeNetworkStack implements NetworkStack {
    private final Map<Path, Netns> namespaces = new LinkedHashMap<>();
    private final List<String> calls = new ArrayList<>();
    private final Map<String, Fault> faults = new HashMap<>();
    private int openHandles;
    private boolean subnetRoutes;
    private int serials;

    public FakeNetworkStack() {
        netns(NetnsRef.current());
    }

    /** The state of {@code ref}'s namespace, made (with {@code lo}, down) if absent. */
    public synchronized Netns netns(NetnsRef ref) {
        return namespaces.computeIfAbsent(ref.path(), p -> new Netns(ref));
    }

    public Netns netns(String name) {
        return netns(NetnsRef.named(name));
    }

    /** Changes made so far, in order, as {@code NETNS OP TARGET}. */
    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    public synchronized void clearCalls() {
        calls.clear();
    }

    /** The {@code nth} call of {@code op} from now on (1 = the next) throws {@code error} instead of running. */
    public synchronized void failOn(String op, int nth, RuntimeException error) {
        if (nth < 1) {
            throw new IllegalArgumentException("nth must be 1 or more: " + nth);
        }
        faults.put(op, new Fault(nth, error));
    }

    /**
     * From now on an IPv4 address on an up link brings its subnet's route, as the kernel's does ({@code proto kernel
     * scope link src ADDRESS}); off by default while tests play that route by hand.
     */
    public synchronized FakeNetworkStack playSubnetRoutes() {
        subnetRoutes = true;
        return this;
    }

    /** Handles opened and not closed yet. */
    public synchronized int openHandles() {
        return openHandles;
    }

    @Override
    public NetnsHandle open(NetnsRef ref) {
        return op(null, "stack.open", ref, false, () -> {
            Netns ns = existing(ref);
            openHandles++;
            ns.handles++;
            return new Handle(ns, ref);
        });
    }

    @Override
    public NetnsOps namespaces() {
        return new NetnsOps() {
            @Override
            public NetnsRef.Named create(String name) {
                NetnsRef.Named ref = new NetnsRef.Named(name);
                return op(null, "netns.create", name, true, () -> {
                    if (namespaces.containsKey(ref.path())) {
                        throw new AlreadyExistsException("namespace \"" + name + "\" already exists");
                    }
                    netns(ref);
                    return ref;
                });
            }

            @Override
            public void delete(String name) {
                NetnsRef.Named ref = new NetnsRef.Named(name);
                run(null, "netns.delete", name, () -> {
                    Netns ns = namespaces.remove(ref.path());
                    if (ns == null) {
                        throw new NotFoundException("namespace \"" + name + "\" not found (no " + ref.path() + ")");
                    }
                    ns.destroyIfUnused();
                });
            }

            @Override
            public NetnsRef.Named attach(String name, NetnsRef target) {
                NetnsRef.Named ref = new NetnsRef.Named(name);
                return op(null, "netns.attach", name + " " + target, true, () -> {
                    Netns ns = existing(target);
                    if (namespaces.putIfAbsent(ref.path(), ns) != null) {
                        throw new AlreadyExistsException("namespace \"" + name + "\" already exists");
                    }
                    return ref;
                });
            }

            @Override
            public List<String> list() {
                return op(null, "netns.list", "", false, () -> namespaces.keySet().stream()
                        .filter(p -> NetnsRef.RUN_DIR.equals(p.getParent())).map(p -> p.getFileName().toString()).sorted().toList());
            }

            @Override
            public boolean exists(NetnsRef netns) {
                return op(null, "netns.exists", netns, false, () -> namespaces.containsKey(netns.path()));
            }
        };
    }

    @Override
    public <T> T callIn(NetnsRef netns, Callable<T> task) {
        op(null, "stack.callIn", netns, false, () -> existing(netns));
        try {
            return task.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new BackendException("task in " + netns.describe() + " failed: " + e.getMessage(), e);
        }
    }

    /** {@code fake/SERIAL}: one per namespace, the same for every reference to it (a name, its path). */
    @Override
    public NetnsId identity(NetnsRef netns) {
        return op(null, "stack.identity", netns, false, () -> {
            int serial = existing(netns).serial;
            return new NetnsId("fake", serial, 0, serial);
        });
    }

    private Netns existing(NetnsRef ref) {
        Netns ns = namespaces.get(ref.path());
        if (ns == null) {
            throw new NotFoundException(ref.describe() + " not found (no " + ref.path() + ")");
        }
        return ns;
    }

    private synchronized <T> T op(Netns ns, String op, Object target, boolean change, Supplier<T> body) {
        if (change) {
            calls.add((ns == null ? "stack" : ns.ref.toString()) + " " + op + (target == null ? "" : " " + target));
        }
        Fault f = faults.get(op);
        if (f != null && --f.left == 0) {
            faults.remove(op);
            throw f.error;
        }
        return body.get();
    }

    private void run(Netns ns, String op, Object target, Runnable body) {
        op(ns, op, target, true, () -> {
            body.run();
            return null;
        });
    }

    /** One namespace's state; read it in assertions, {@link #toString()} dumps all of it (for "same state" checks). */
    public final class Netns {
        final NetnsRef ref;
        final int serial = ++serials;
        final List<FakeLink> links = new ArrayList<>();
        final List<Route> routes = new ArrayList<>();
        final List<PolicyRule> rules = new ArrayList<>();
        final List<Neighbour> neighbours = new ArrayList<>();
        final List<dev.patchbay.core.spi.NeighbourOps.Fdb> fdb = new ArrayList<>();
        final List<ListeningSocket> listening = new ArrayList<>();
        final Map<String, String> sysctls = new TreeMap<>(Map.of("net/ipv4/ip_forward", "0",
                "net/ipv6/conf/all/forwarding", "0", "net/ipv6/conf/all/disable_ipv6", "0"));
        int nextIndex = 1;
        int handles;

        private Netns(NetnsRef ref) {
            this.ref = ref;
            newLink(new IfName("lo"), null, 65536, new MacAddress("00:00:00:00:00:00"));
        }

        public NetnsRef ref() {
            return ref;
        }

        <T> T locked(Supplier<T> read) {
            synchronized (FakeNetworkStack.this) {
                return read.get();
            }
        }

        public List<Link> links() {
            return locked(() -> links.stream().map(FakeLink::toLink).toList());
        }

        public Optional<Link> link(String name) {
            return locked(() -> find(LinkRef.name(name)).map(FakeLink::toLink));
        }

        /** The IFLA_INFO_DATA attributes a {@link dev.patchbay.core.model.LinkSpec.Other} made the link with; empty for others. */
        public List<dev.patchbay.core.model.LinkSpec.Attr> infoData(String name) {
            return locked(() -> get(LinkRef.name(name)).infoData);
        }

        /** The link its ingress redirect sends its arrivals to; empty without. */
        public Optional<String> ingressRedirect(String name) {
            return locked(() -> Optional.ofNullable(get(LinkRef.name(name)).ingress).filter(t -> t.home == this).map(t -> t.name.value()));
        }

        /** The link's root qdisc; empty while it has the kernel's default. */
        public Optional<dev.patchbay.core.model.Qdisc> qdisc(String name) {
            return locked(() -> Optional.ofNullable(get(LinkRef.name(name)).qdisc));
        }

        /** Whether the link is in promiscuous mode. */
        public boolean promisc(String name) {
            return locked(() -> get(LinkRef.name(name)).promisc);
        }

        /** Whether the link receives all multicast. */
        public boolean allmulti(String name) {
            return locked(() -> get(LinkRef.name(name)).allmulti);
        }

        /** The link group of the link (0: the default group). */
        public int group(String name) {
            return locked(() -> get(LinkRef.name(name)).group);
        }

        /** Plays a socket bound in this namespace, for {@link NetnsHandle#listeningSockets}, until closed. */
        public AutoCloseable listen(ListeningSocket socket) {
            locked(() -> listening.add(socket));
            return () -> locked(() -> listening.remove(socket));
        }

        /** The hairpin flag of a bridge port. */
        public boolean hairpin(String name) {
            return locked(() -> get(LinkRef.name(name)).hairpin);
        }

        public List<IpPrefix> addresses(String link) {
            return locked(() -> List.copyOf(get(LinkRef.name(link)).addresses));
        }

        public List<Route> routes() {
            return locked(() -> List.copyOf(routes));
        }

        public List<PolicyRule> rules() {
            return locked(() -> List.copyOf(rules));
        }

        public List<Neighbour> neighbours() {
            return locked(() -> List.copyOf(neighbours));
        }

        /** A sysctl, dotted ({@code net.ipv4.ip_forward}) or slashed ({@code net/ipv6/conf/eth0.1/disable_ipv6}). */
        public Optional<String> sysctl(String key) {
            return locked(() -> slot(key).get());
        }

        /** Makes or changes a sysctl, e.g. to start from a host that forwards already. */
        public void putSysctl(String key, String value) {
            locked(() -> slot(key).map.put(slot(key).key, value));
        }

        /** Removes a sysctl, e.g. to play a kernel without IPv6. */
        public void removeSysctl(String key) {
            locked(() -> slot(key).map.remove(slot(key).key));
        }

        @Override
        public String toString() {
            synchronized (FakeNetworkStack.this) {
                StringBuilder sb = new StringBuilder();
                for (FakeLink l : links) {
                    sb.append(l).append('\n');
                    l.addresses.forEach(a -> sb.append("  addr ").append(a).append('\n'));
                    l.sysctls.forEach((k, v) -> sb.append("  sysctl ").append(k).append('=').append(v).append('\n'));
                }
                routes.forEach(r -> sb.append("route ").append(describe(r)).append('\n'));
                rules.forEach(r -> sb.append("rule ").append(r).append('\n'));
                neighbours.forEach(n -> sb.append("neigh ").append(n).append('\n'));
                sysctls.forEach((k, v) -> sb.append("sysctl ").append(k).append('=').append(v).append('\n'));
                return sb.toString();
            }
        }

        /** As the kernel does once no path and no handle refer to a namespace: its links go, and the veth peers of them. */
        void destroyIfUnused() {
            if (handles == 0 && !namespaces.containsValue(this)) {
                List.copyOf(links).forEach(l -> {
                    if (links.contains(l)) {
                        remove(l);
                    }
                });
            }
        }

        FakeLink newLink(IfName name, String kind, int mtu, MacAddress mac) {
            int n = ++serials;
            MacAddress m = mac != null ? mac : MacAddress.of(new byte[] {2, 0, (byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
            FakeLink l = new FakeLink(this, nextIndex++, name, kind, mtu, m);
            links.add(l);
            return l;
        }

        Optional<FakeLink> find(LinkRef ref) {
            return links.stream().filter(l -> ref instanceof LinkRef.ByName n ? l.name.equals(n.name())
                    : l.index == ((LinkRef.ByIndex) ref).index()).findFirst();
        }

        FakeLink get(LinkRef ref) {
            return find(ref).orElseThrow(() -> new NotFoundException("link \"" + ref + "\" not found in " + ref().describe()));
        }

        void remove(FakeLink l) {
            links.remove(l);
            routes.removeIf(r -> l.name.equals(r.device()));
            neighbours.removeIf(n -> l.name.equals(n.device()));
            fdb.removeIf(f -> l.name.equals(f.device()));
            links.stream().filter(p -> p.master == l).forEach(p -> p.master = null);
            links.stream().filter(p -> p.ingress == l).forEach(p -> p.ingress = p); // the kernel's mirred keeps no gone device
            FakeLink peer = l.peer;
            if (peer != null) { // one end of a veth pair gone: the other goes too
                l.peer = null;
                peer.peer = null;
                peer.home.remove(peer);
            }
        }

        /**
         * As the kernel does: a link set down loses its IPv4 routes (for good) and its IPv6 addresses (keep_addr_on_down
         * 0); set up, it gets the subnet route of each IPv4 address ({@link #playSubnetRoutes}). IPv6 link-local
         * addresses and prefix routes are not played.
         */
        void setUp(FakeLink l, boolean up) {
            if (up && !l.up) {
                l.up = true;
                List.copyOf(l.addresses).forEach(a -> addConnected(l, a));
            } else if (!up && l.up) {
                routes.removeIf(r -> l.name.equals(r.device()) && r.destination().isV4());
                l.addresses.removeIf(a -> !a.isV4());
            }
            l.up = up;
        }

        /** Adds an address, and its subnet route if it is IPv4 and the link up, as the kernel does; true. */
        boolean addAddress(FakeLink l, IpPrefix a) {
            l.addresses.add(a);
            addConnected(l, a);
            return true;
        }

        /** With {@link #playSubnetRoutes}: the first IPv4 address of a subnet on an up link brings the subnet's route (a /32 none). */
        void addConnected(FakeLink l, IpPrefix a) {
            if (subnetRoutes && l.up && a.isV4() && a.length() < 32 && routes.stream().noneMatch(r -> FakeRouteOps.sameKey(r, connected(l, a)))) {
                routes.add(connected(l, a));
            }
        }

        /** Where a sysctl lives: per link ({@code net/ipvX/conf/LINK/leaf}) or in the namespace. */
        Slot slot(String key) {
            if (key == null || !key.matches("net[./][A-Za-z0-9_./-]+") || key.contains("..") || key.contains("//")) {
                throw new InvalidInputException("sysctl key", key, "expected a key under net., e.g. net.ipv4.ip_forward");
            }
            String path = key.indexOf('/') >= 0 ? key : key.replace('.', '/');
            String[] p = path.split("/");
            if (p.length == 5 && p[2].equals("conf")) {
                Optional<FakeLink> l = links.stream().filter(x -> x.name.value().equals(p[3])).findFirst();
                if (l.isPresent()) {
                    return new Slot(l.get().sysctls, p[1] + "/" + p[4]);
                }
            }
            return new Slot(sysctls, path);
        }
    }

    record Slot(Map<String, String> map, String key) {
        Optional<String> get() {
            return Optional.ofNullable(map.get(key));
        }
    }

    private static final class Fault {
        int left;
        final RuntimeException error;

        Fault(int left, RuntimeException error) {
            this.left = left;
            this.error = error;
        }
    }

    static final class FakeLink {
        Netns home;
        int index;
        IfName name;
        final String kind;
        int mtu;
        MacAddress mac;
        boolean up;
        boolean hairpin;
        boolean isolated;
        boolean promisc;
        boolean allmulti;
        int group;
        dev.patchbay.core.model.Qdisc qdisc; // null: the kernel's default
        FakeLink ingress; // where an ingress redirect sends its arrivals (itself while the target is gone); null: no ingress qdisc
        List<dev.patchbay.core.model.LinkSpec.Attr> infoData = List.of(); // a LinkSpec.Other's
        FakeLink master;
        FakeLink peer;
        final List<IpPrefix> addresses = new ArrayList<>();
        final Map<String, String> sysctls = new TreeMap<>(Map.of("ipv4/route_localnet", "0", "ipv4/forwarding", "0", "ipv4/rp_filter", "0",
                "ipv6/accept_dad", "1", "ipv6/disable_ipv6", "0", "ipv6/forwarding", "0"));

        FakeLink(Netns home, int index, IfName name, String kind, int mtu, MacAddress mac) {
            this.home = home;
            this.index = index;
            this.name = name;
            this.kind = kind;
            this.mtu = mtu;
            this.mac = mac;
        }

        Link toLink() {
            Integer peerNetnsId = peer == null || peer.home == home ? null : peer.home.serial;
            return new Link(index, name, kind, mtu, mac, up, up && (peer == null || peer.up), master == null ? null : master.index,
                    peer == null ? null : peer.index, peerNetnsId);
        }

        @Override
        public String toString() {
            return "link " + index + " " + name + " kind=" + kind + " mtu=" + mtu + " mac=" + mac + (up ? " up" : " down")
                    + (master == null ? "" : " master=" + master.name) + (hairpin ? " hairpin" : "") + (isolated ? " isolated" : "")
                    + (peer == null ? "" : " peer=" + peer.name + "@" + peer.home.ref) + (promisc ? " promisc" : "")
                    + (allmulti ? " allmulti" : "") + (group == 0 ? "" : " group=" + group) + (qdisc == null ? "" : " qdisc=" + qdisc);
        }
    }

    /** The kernel's route to the subnet of an IPv4 address ({@code proto kernel scope link src ADDRESS}). */
    static Route connected(FakeLink l, IpPrefix a) {
        return new Route(a.network(), null, l.name, a.address(), null, null, dev.patchbay.core.model.Scope.LINK);
    }

    static String describe(Route r) {
        return r.destination() + (r.gateway() == null ? "" : " via " + IpAddresses.format(r.gateway()))
                + (r.device() == null ? "" : " dev " + r.device()) + (r.table() == null ? "" : " table " + r.table())
                + (r.metric() == null ? "" : " metric " + r.metric());
    }

    final class Handle implements NetnsHandle {
        final Netns ns;
        private final NetnsRef ref;
        private boolean closed;

        private final LinkOps links;
        private final AddressOps addresses;
        private final RouteOps routes;
        private final RuleOps rules;
        private final NeighbourOps neighbours;
        private final SysctlOps sysctl;
        private final QdiscOps qdiscs;

        Handle(Netns ns, NetnsRef ref) {
            this.ns = ns;
            this.ref = ref;
            links = new FakeLinkOps(this);
            addresses = new FakeAddressOps(this);
            routes = new FakeRouteOps(this);
            rules = new FakeRuleOps(this);
            neighbours = new FakeNeighbourOps(this);
            sysctl = new FakeSysctlOps(this);
            qdiscs = new FakeQdiscOps(this);
        }

        Netns stackExisting(NetnsRef target) {
            return existing(target);
        }

        <T> T read(String op, Object target, Supplier<T> body) {
            return op(ns, op, target, false, () -> {
                check();
                return body.get();
            });
        }

        <T> T change(String op, Object target, Supplier<T> body) {
            return op(ns, op, target, true, () -> {
                check();
                return body.get();
            });
        }

        void change(String op, Object target, Runnable body) {
            change(op, target, () -> {
                body.run();
                return null;
            });
        }

        private void check() {
            if (closed) {
                throw new IllegalStateException("the handle on " + ref.describe() + " is closed");
            }
        }

        String where() {
            return ns.ref.describe();
        }

        @Override
        public NetnsRef netns() {
            return ref;
        }

        @Override
        public void close() {
            synchronized (FakeNetworkStack.this) {
                if (!closed) {
                    closed = true;
                    openHandles--;
                    ns.handles--;
                    ns.destroyIfUnused();
                }
            }
        }

        @Override
        public LinkOps links() {
            return links;
        }

        @Override
        public AddressOps addresses() {
            return addresses;
        }

        @Override
        public RouteOps routes() {
            return routes;
        }

        @Override
        public RuleOps rules() {
            return rules;
        }

        @Override
        public NeighbourOps neighbours() {
            return neighbours;
        }

        @Override
        public SysctlOps sysctl() {
            return sysctl;
        }

        @Override
        public QdiscOps qdiscs() {
            return qdiscs;
        }

        @Override
        public List<ListeningSocket> listeningSockets() {
            return read("listeningSockets", null, () -> ns.listening.stream().sorted(java.util.Comparator // as sock_diag's dumps
                    .comparing(ListeningSocket::protocol).thenComparing(x -> x.address() instanceof java.net.Inet6Address)).toList());
        }

    }

    static Route withDevice(Route r, IfName device) {
        return new Route(r.destination(), r.gateway(), device, r.source(), r.metric(), r.table(), r.scope());
    }
}
