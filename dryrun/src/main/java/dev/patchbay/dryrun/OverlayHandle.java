package dev.patchbay.dryrun;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.ListeningSocket;
import dev.patchbay.core.model.Neighbour;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.PolicyRule;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.model.Scope;
import dev.patchbay.core.spi.AddressOps;
import dev.patchbay.core.spi.LinkOps;
import dev.patchbay.core.spi.NeighbourOps;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.RouteOps;
import dev.patchbay.core.spi.RuleOps;
import dev.patchbay.core.spi.SysctlOps;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A dry run's handle on one namespace: reads answer from its {@link Layer}, changes become {@code ip} and {@code sysctl} commands. */
final class OverlayHandle implements NetnsHandle {
    private final OverlayStack stack;
    private final Layer layer;

    OverlayHandle(OverlayStack stack, Layer layer) {
        this.stack = stack;
        this.layer = layer;
    }

    private void ip(List<String> words) {
        stack.script.ip(layer.ref, words);
    }

    @Override
    public NetnsRef netns() {
        return layer.ref;
    }

    @Override
    public LinkOps links() {
        return new OverlayLinks(stack, layer);
    }

    @Override
    public AddressOps addresses() {
        return new AddressOps() {
            @Override
            public void add(LinkRef link, IpPrefix address) {
                Link l = layer.get(link);
                List<IpPrefix> held = layer.addresses().computeIfAbsent(l.index(), k -> new ArrayList<>());
                if (held.contains(address)) {
                    throw new AlreadyExistsException("address " + address + " is on \"" + l.name() + "\" already");
                }
                held.add(address);
                ip(List.of("addr", "add", address.toString(), "dev", l.name().value()));
            }

            @Override
            public boolean ensure(LinkRef link, IpPrefix address) {
                if (list(link, null).contains(address)) {
                    return false;
                }
                add(link, address);
                return true;
            }

            @Override
            public void replace(LinkRef link, IpPrefix address) {
                Link l = layer.get(link);
                List<IpPrefix> held = layer.addresses().computeIfAbsent(l.index(), k -> new ArrayList<>());
                if (!held.contains(address)) {
                    held.add(address);
                }
                ip(List.of("addr", "replace", address.toString(), "dev", l.name().value()));
            }

            @Override
            public void delete(LinkRef link, IpPrefix address) {
                Link l = layer.get(link);
                if (!layer.addresses().getOrDefault(l.index(), new ArrayList<>()).remove(address)) {
                    throw new NotFoundException("address " + address + " not found on \"" + l.name() + "\"");
                }
                ip(List.of("addr", "del", address.toString(), "dev", l.name().value()));
            }

            @Override
            public List<IpPrefix> list(LinkRef link, Family family) {
                Link l = layer.get(link);
                return layer.addresses().getOrDefault(l.index(), List.of()).stream()
                        .filter(a -> family == null || a.family() == family).toList();
            }

            @Override
            public List<Assigned> listAll(Family family) {
                List<Assigned> out = new ArrayList<>();
                for (Map.Entry<Integer, List<IpPrefix>> e : layer.addresses().entrySet()) {
                    e.getValue().stream().filter(a -> family == null || a.family() == family).forEach(a -> out.add(new Assigned(e.getKey(), a)));
                }
                return out;
            }
        };
    }

    @Override
    public RouteOps routes() {
        return new RouteOps() {
            @Override
            public void add(Route route) {
                layer.routes().add(route);
                ip(words("add", route));
            }

            @Override
            public void replace(Route route) {
                layer.routes().removeIf(r -> r.destination().equals(route.destination()) && java.util.Objects.equals(r.metric(), route.metric()));
                layer.routes().add(route);
                ip(words("replace", route));
            }

            @Override
            public void delete(Route route) {
                layer.routes().remove(route);
                ip(words("del", route));
            }

            @Override
            public List<Route> list(Family family, Integer table) {
                if (table != null && table != 254) {
                    return layer.real == null ? List.of() : layer.real.routes().list(family, table);
                }
                return layer.routes().stream().filter(r -> family == null || r.destination().family() == family).toList();
            }
        };
    }

    /** {@code ip [-6] route VERB DEST [via GW] [dev DEV] [src SRC] [metric M] [table T] [scope S]}. */
    static List<String> words(String verb, Route r) {
        List<String> w = new ArrayList<>();
        if (!r.destination().isV4()) {
            w.add("-6");
        }
        w.addAll(List.of("route", verb, r.isDefault() ? "default" : r.destination().toString()));
        if (r.gateway() != null) {
            w.addAll(List.of("via", IpAddresses.format(r.gateway())));
        }
        if (r.device() != null) {
            w.addAll(List.of("dev", r.device().value()));
        }
        if (r.source() != null) {
            w.addAll(List.of("src", IpAddresses.format(r.source())));
        }
        if (r.metric() != null) {
            w.addAll(List.of("metric", r.metric().toString()));
        }
        if (r.table() != null) {
            w.addAll(List.of("table", r.table().toString()));
        }
        if (r.scope() != null && r.scope() != Scope.UNIVERSE) {
            w.addAll(List.of("scope", r.scope().name().toLowerCase(java.util.Locale.ROOT)));
        }
        return w;
    }

    @Override
    public RuleOps rules() {
        return new RuleOps() {
            @Override
            public void add(PolicyRule rule) {
                ip(words("add", rule));
            }

            @Override
            public void delete(PolicyRule rule) {
                ip(words("del", rule));
            }

            @Override
            public List<PolicyRule> list(Family family) {
                return layer.real == null ? List.of() : layer.real.rules().list(family);
            }
        };
    }

    private static List<String> words(String verb, PolicyRule r) {
        List<String> w = new ArrayList<>(List.of(r.family() == Family.INET6 ? "-6" : "-4", "rule", verb));
        if (r.priority() != null) {
            w.addAll(List.of("priority", r.priority().toString()));
        }
        if (r.from() != null) {
            w.addAll(List.of("from", r.from().toString()));
        }
        if (r.to() != null) {
            w.addAll(List.of("to", r.to().toString()));
        }
        if (r.iif() != null) {
            w.addAll(List.of("iif", r.iif().value()));
        }
        w.addAll(List.of("table", Integer.toString(r.table())));
        return w;
    }

    @Override
    public NeighbourOps neighbours() {
        return new NeighbourOps() {
            @Override
            public void add(Neighbour n) {
                ip(words("add", n));
            }

            @Override
            public void replace(Neighbour n) {
                ip(words("replace", n));
            }

            @Override
            public void delete(IfName device, InetAddress address) {
                ip(List.of("neigh", "del", IpAddresses.format(address), "dev", device.value()));
            }

            @Override
            public List<Neighbour> list(Family family) {
                return layer.real == null ? List.of() : layer.real.neighbours().list(family);
            }

            @Override
            public void appendFdb(Fdb f) {
                stack.script.in(layer.ref, fdbWords("append", f));
            }

            @Override
            public void deleteFdb(Fdb f) {
                stack.script.in(layer.ref, fdbWords("del", f));
            }

            @Override
            public List<Fdb> listFdb(IfName device) {
                return layer.real == null || layer.real.links().find(dev.patchbay.core.model.LinkRef.name(device)).isEmpty() ? List.of()
                        : layer.real.neighbours().listFdb(device);
            }
        };
    }

    /** {@code bridge fdb VERB MAC dev DEV dst DST self permanent}, run in the namespace. */
    private static List<String> fdbWords(String verb, NeighbourOps.Fdb f) {
        return List.of("bridge", "fdb", verb, f.mac().value(), "dev", f.device().value(), "dst", IpAddresses.format(f.destination()),
                "self", "permanent");
    }

    private static List<String> words(String verb, Neighbour n) {
        List<String> w = new ArrayList<>(List.of("neigh", verb, IpAddresses.format(n.address())));
        if (n.mac() != null) {
            w.addAll(List.of("lladdr", n.mac().value()));
        }
        w.addAll(List.of("dev", n.device().value(), "nud", n.permanent() ? "permanent" : "reachable"));
        return w;
    }

    @Override
    public dev.patchbay.core.spi.QdiscOps qdiscs() {
        return new OverlayQdiscs(stack, layer);
    }

    @Override
    public SysctlOps sysctl() {
        return new SysctlOps() {
            @Override
            public Optional<String> get(String key) {
                String v;
                synchronized (layer) {
                    v = layer.sysctls.get(key);
                }
                if (v != null) {
                    return Optional.of(v);
                }
                return layer.real == null ? Optional.empty() : layer.real.sysctl().get(key);
            }

            @Override
            public void set(String key, String value) {
                synchronized (layer) {
                    layer.sysctls.put(key, value);
                }
                stack.script.in(layer.ref, List.of("sysctl", "-q", "-w", key + "=" + value));
            }

            @Override
            public String ensure(String key, String value) {
                String before = get(key).orElse("");
                if (!before.strip().equals(value)) {
                    set(key, value);
                }
                return before;
            }
        };
    }

    @Override
    public List<ListeningSocket> listeningSockets() {
        return layer.real == null ? List.of() : layer.real.listeningSockets();
    }

    @Override
    public void close() {
        // the stack closes the kernel's handles when the run ends
    }
}
