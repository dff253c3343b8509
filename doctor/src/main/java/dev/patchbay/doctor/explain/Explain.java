package dev.patchbay.doctor.explain;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.firewall.Firewall;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.model.Protocol;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import dev.patchbay.doctor.explain.Endpoint.Kind;
import dev.patchbay.firewall.host.FirewallHost;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The walk of {@code patchbay explain FROM TO [PORT/PROTO]}: the hops a packet takes, read from the kernel (routes,
 * interfaces, the bridge and its ports, forwarding), then the firewall's verdicts on a probe packet as the kernel's
 * trace reports them, then the far end and whether it answered. The walk stops at the first broken hop.
 */
final class Explain {
    /** PORT/PROTO, e.g. 8080/tcp. */
    record Port(Protocol protocol, int port) {
        static Port parse(String text) {
            if (text == null) {
                return null;
            }
            if (!text.matches("\\d{1,5}/[a-zA-Z]+")) {
                throw new InvalidInputException("PORT/PROTO", text, "expected PORT/PROTO, e.g. 8080/tcp");
            }
            int port = Integer.parseInt(text.substring(0, text.indexOf('/')));
            if (port < 1 || port > 65535) {
                throw new InvalidInputException("PORT/PROTO", text, "the port must be 1..65535");
            }
            return new Port(Protocol.parse(text.substring(text.indexOf('/') + 1)), port);
        }

        @Override
        public String toString() {
            return port + "/" + protocol.label();
        }
    }

    /** The answer: the hops, whether the path works, and the step where it breaks (null when it works). */
    record Result(String from, String to, String port, List<Hop> hops, boolean ok, String broken) {
    }

    private final NetworkStack stack;
    private final NetnsRef host;
    private final Map<String, NetworkConfig> networks = new LinkedHashMap<>();
    private final Map<String, List<Attachment>> attachments = new LinkedHashMap<>();
    private final FirewallHost firewall;
    private final List<Firewall> backends;
    private final Legs legs;
    private final List<Hop> hops = new ArrayList<>();

    Explain(NetworkStack stack, NetnsRef host, List<NetworkConfig> networks, Map<String, List<Attachment>> attachments,
            FirewallHost firewall, List<Firewall> backends) {
        this.stack = stack;
        this.host = host;
        networks.forEach(n -> this.networks.put(n.name(), n));
        this.attachments.putAll(attachments);
        this.firewall = firewall;
        this.backends = backends;
        this.legs = new Legs(stack, host);
    }

    Result run(String fromText, String toText, Port port) {
        try (NetnsHandle h = stack.open(host)) {
            Endpoint from = Endpoint.resolve("FROM", fromText, attachments, h);
            Endpoint to = Endpoint.resolve("TO", toText, attachments, h);
            if (from.kind() == Kind.CONTAINER) {
                fromContainer(h, from, to, port);
            } else if (from.kind() == Kind.HOST) {
                fromHost(h, from, to, port);
            } else {
                fromOutside(h, to, port);
            }
        }
        Optional<Hop> broken = hops.stream().filter(Hop::isBroken).findFirst();
        return new Result(fromText, toText, port == null ? null : port.toString(), List.copyOf(hops), broken.isEmpty(), broken.map(Hop::step).orElse(null));
    }

    /** Adds {@code hop}; false when it breaks the path. */
    private boolean add(Hop hop) {
        hops.add(hop);
        return !hop.isBroken();
    }

    private boolean addAll(List<Hop> more) {
        for (Hop hop : more) {
            if (!add(hop)) {
                return false;
            }
        }
        return true;
    }

    /** Where {@code to} is, as seen from an end on {@code network} (null: any): its address there, or its first. */
    private static InetAddress destination(Endpoint to, String network, InetAddress like) {
        if (to.address() != null || to.kind() != Kind.CONTAINER) {
            return to.address();
        }
        Attachment t = (network == null ? Optional.<Attachment>empty() : to.on(network)).orElse(to.attachments().get(0));
        return Endpoint.addressOn(t, like);
    }

    private void fromContainer(NetnsHandle h, Endpoint from, Endpoint to, Port port) {
        Attachment first = from.attachments().get(0);
        if (!add(Legs.namespace(first))) {
            return;
        }
        if (to.kind() == Kind.OUTSIDE && to.address() == null) {
            add(Hop.broken(Endpoint.OUTSIDE, host.describe() + " has no default route: nothing leaves it for the outside (name an address beyond the host instead)"));
            return;
        }
        String shared = to.kind() != Kind.CONTAINER ? null : from.attachments().stream().map(Attachment::network)
                .filter(n -> to.on(n).isPresent()).findFirst().orElse(null);
        InetAddress dst = destination(to, shared, null);
        try (NetnsHandle c = stack.open(Legs.netns(first))) {
            Optional<Route> r = Legs.lookup(c.routes().list(Family.of(dst), null), dst);
            if (r.isEmpty()) {
                add(Hop.broken("route", "container \"" + from.label() + "\" has no route to " + IpAddresses.format(dst)));
                return;
            }
            Optional<Attachment> out = from.attachments().stream().filter(a -> a.ifName().equals(r.get().device())).findFirst();
            if (out.isEmpty()) {
                add(Hop.broken("route", "to " + IpAddresses.format(dst) + ": " + Legs.describe(r.get()) + ", not an interface Patchbay attached"));
                return;
            }
            Attachment a = out.get();
            NetworkConfig net = networks.get(a.network());
            add(Hop.ok("route", "to " + IpAddresses.format(dst) + ": " + Legs.describe(r.get()) + " in \"" + from.label() + "\" (network \"" + net.name() + "\")"));
            if (!add(Legs.iface(c, a)) || !add(Legs.bridge(h, net, a))) {
                return;
            }
            InetAddress src = Endpoint.addressOn(a, dst);
            Optional<Attachment> local = r.get().gateway() == null ? to.on(net.name()) : Optional.empty();
            if (local.isPresent()) { // bridged: no routing in the host, its firewall does not see it
                if (addAll(legs.target(h, net, local.get()))) {
                    answer(Legs.netns(a), dst, port);
                }
                return;
            }
            if (to.kind() != Kind.HOST && (!add(Legs.forwarding(h, dst)) || !add(legs.hostRoute(h, dst)))) {
                return;
            }
            if (!traced(Legs.netns(a), src, dst, port)) {
                return;
            }
            if (to.kind() == Kind.CONTAINER) {
                Attachment t = to.attachments().stream().filter(x -> x.addresses().stream().anyMatch(p -> p.address().equals(dst))).findFirst().orElseThrow();
                if (!addAll(legs.target(h, networks.get(t.network()), t))) {
                    return;
                }
            }
            answer(Legs.netns(a), dst, port);
        }
    }

    private void fromHost(NetnsHandle h, Endpoint from, Endpoint to, Port port) {
        if (to.kind() == Kind.HOST) {
            add(Hop.ok("local", "both ends are addresses of " + host.describe()));
            return;
        }
        InetAddress dst = destination(to, null, from.address());
        if (dst == null) {
            add(Hop.broken(Endpoint.OUTSIDE, host.describe() + " has no default route: nothing leaves it for the outside"));
            return;
        }
        if (!add(legs.hostRoute(h, dst))) {
            return;
        }
        if (to.kind() == Kind.CONTAINER) {
            Attachment t = to.attachments().stream().filter(x -> x.addresses().stream().anyMatch(p -> p.address().equals(dst))).findFirst().orElseThrow();
            if (!addAll(legs.target(h, networks.get(t.network()), t))) {
                return;
            }
        }
        if (traced(host, from.address(), dst, port)) {
            answer(host, dst, port);
        }
    }

    private void fromOutside(NetnsHandle h, Endpoint to, Port port) {
        if (to.kind() == Kind.OUTSIDE) {
            add(Hop.broken("path", "neither end is on " + host.describe() + ": nothing of this host is on the way"));
            return;
        }
        if (port == null) {
            add(Hop.broken("published", "from the outside a container is reached through a published port only: give PORT/PROTO"
                    + (to.kind() == Kind.CONTAINER ? " (\"" + to.label() + "\" publishes " + to.attachments().stream().flatMap(a -> a.ports().stream()).toList() + ")" : "")));
            return;
        }
        List<Attachment> candidates = to.kind() == Kind.CONTAINER ? to.attachments() : attachments.values().stream().flatMap(List::stream).toList();
        Attachment target = null;
        PortMapping mapping = null;
        for (Attachment a : candidates) {
            for (PortMapping p : a.ports()) {
                if (mapping == null && p.protocol() == port.protocol() && p.hostPorts().first() <= port.port() && port.port() <= p.hostPorts().last()
                        && (to.kind() != Kind.HOST || p.hostIp() == null || p.hostIp().equals(to.address()))) {
                    target = a;
                    mapping = p;
                }
            }
        }
        if (mapping == null) {
            add(Hop.broken("published", to.kind() == Kind.CONTAINER ? "\"" + to.label() + "\" publishes no " + port + " (it publishes "
                    + candidates.stream().flatMap(a -> a.ports().stream()).toList() + ")" : "no container publishes " + port + " on " + IpAddresses.format(to.address())));
            return;
        }
        NetworkConfig net = networks.get(target.network());
        InetAddress dst = Endpoint.addressOn(target, to.address());
        int cport = mapping.containerPorts().first() + port.port() - mapping.hostPorts().first();
        add(Hop.ok("published", port + " -> " + IpAddresses.format(dst) + ":" + cport + ", container \"" + target.containerId() + "\" on network \"" + net.name() + "\""));
        if (!add(dnat(net, target, mapping)) || !add(Legs.forwarding(h, dst)) || !add(legs.hostRoute(h, dst)) || !addAll(legs.target(h, net, target))) {
            return;
        }
        add(new Hop("firewall", Hop.SKIP, "not traced: no packet can be sent from the outside from here; the DNAT and the path behind it are in place",
                null, null, null));
    }

    /** The published port's DNAT: recorded for the attachment, and held whole by the kernel's backend. */
    private Hop dnat(NetworkConfig net, Attachment a, PortMapping p) {
        RulesetOwner owner = dev.patchbay.orchestrator.network.Owners.attachment(net.name(), a.containerId());
        Map<RulesetOwner, Ruleset> recorded = firewall.rulesets();
        Ruleset rs = recorded.get(owner);
        if (rs == null || rs.rulesOf(Rule.PortForward.class).stream().noneMatch(r -> r.mapping().equals(p))) {
            return Hop.broken("dnat", "no rule is recorded for " + p + " of \"" + a.containerId() + "\"");
        }
        String backend = firewall.backend();
        Firewall fw = backends.stream().filter(b -> b.backend().equals(backend)).findFirst().orElse(null);
        if (fw == null) {
            return Hop.broken("dnat", "the firewall backend \"" + backend + "\" is not installed");
        }
        if (fw.drifted(host, recorded.values()).contains(owner)) {
            return Hop.broken("dnat", "the rule of " + p + " is missing from " + backend + " in " + host.describe() + " (flushed?): the daemon puts it back, or patchbay gc");
        }
        return Hop.ok("dnat", p + " in " + backend);
    }

    /** The probe traced through the host's firewall; false when a rule dropped it. */
    private boolean traced(NetnsRef from, InetAddress src, InetAddress dst, Port port) {
        Trace trace = new Trace(stack, host);
        if (!trace.available()) {
            return add(new Hop("firewall", Hop.SKIP, "not traced: nft is not installed (the kernel's packet trace needs its monitor)", null, null, null));
        }
        Trace.Result r = trace.run(new Trace.Match(src, dst, port == null ? null : port.protocol(), port == null ? null : port.port()), () -> Probe.send(stack, from, dst, port));
        probed = true;
        lastAnswer = r.answer();
        return addAll(TraceEvents.hops(TraceEvents.firstPacket(TraceEvents.parse(r.lines()))));
    }

    private String lastAnswer;
    private boolean probed;

    /** Whether the far end answered the probe (sent now when the trace did not send one). */
    private void answer(NetnsRef from, InetAddress dst, Port port) {
        String said = probed ? lastAnswer : Probe.send(stack, from, dst, port);
        String what = IpAddresses.format(dst) + (port == null ? "" : " " + port);
        if (said == null) {
            add(new Hop("answer", Hop.WARN, "no answer from " + what + " within 1 s (nothing listening, its own firewall, or no way back)", null, null, null));
        } else {
            add(Hop.ok("answer", what + " " + said));
        }
    }
}
