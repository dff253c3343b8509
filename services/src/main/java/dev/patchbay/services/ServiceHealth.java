package dev.patchbay.services;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.events.PatchbayEvents;
import dev.patchbay.firewall.host.FirewallManager;
import dev.patchbay.orchestrator.network.NetworkManager;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

/**
 * In the daemon: the health checks of services created with {@code --health tcp}. Every {@value #INTERVAL_MS} ms each
 * backend gets a TCP connect from the service's host namespace, given {@value #TIMEOUT_MS} ms; after {@value #FALL}
 * failures in a row it is taken out of the service's rules (down), after {@value #RISE} successes in a row it is put back
 * (up), each change recorded and posted as {@code service-backend-down} / {@code service-backend-up}. With every backend
 * down the service refuses connections at once, as with none.
 */
@Component(immediate = true)
public final class ServiceHealth {
    static final long INTERVAL_MS = 1000;
    static final int TIMEOUT_MS = 800;
    static final int FALL = 2;
    static final int RISE = 2;

    @Reference
    NetworkManager manager;

    @Reference
    FirewallManager firewall;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile Ipam ipam;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile EventAdmin events;

    /** Consecutive results per "service/netns:port": positive successes, negative failures. */
    private final Map<String, Integer> streak = new ConcurrentHashMap<>();
    private ScheduledExecutorService timer;
    private Path stateDir;

    @Activate
    void activate(BundleContext ctx) {
        if (!"true".equals(ctx.getProperty("patchbay.daemon"))) {
            return; // a command's process: the daemon checks
        }
        String dir = ctx.getProperty("patchbay.state.dir");
        stateDir = dir == null || dir.isEmpty() ? CliContext.DEFAULT_STATE_DIR : Path.of(dir);
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "patchbay-service-health");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::round, INTERVAL_MS, INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    @Deactivate
    void deactivate() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    private void round() {
        try {
            for (ServiceRecord r : new ServiceStore(stateDir).list()) {
                if (ServiceRecord.TCP.equals(r.health()) && !r.backends().isEmpty()) {
                    check(r);
                }
            }
        } catch (RuntimeException e) {
            // a round that cannot read the records is skipped; the next one tries again
        }
    }

    private void check(ServiceRecord r) {
        Map<ServiceRecord.Backend, Boolean> answered = manager.stack().callIn(NetnsRef.parse(r.host()), () -> probe(r.backends(), r.vip6() != null));
        for (Map.Entry<ServiceRecord.Backend, Boolean> e : answered.entrySet()) {
            ServiceRecord.Backend b = e.getKey();
            String key = r.name() + "/" + b;
            int s = streak.merge(key, e.getValue() ? 1 : -1, (was, one) -> Integer.signum(was) == one ? was + one : one);
            if (b.down() && s >= RISE || !b.down() && s <= -FALL) {
                Ipam i = ipam;
                if (i != null && new Services(manager, firewall, i, stateDir, NetnsRef.parse(r.host())).health(r.name(), b.netns(), b.port(), !b.down()) != null) {
                    post(b.down() ? PatchbayEvents.SERVICE_BACKEND_UP : PatchbayEvents.SERVICE_BACKEND_DOWN, r, b, Math.abs(s));
                }
            }
        }
        streak.keySet().removeIf(k -> k.startsWith(r.name() + "/") && r.backends().stream().noneMatch(b -> k.equals(r.name() + "/" + b)));
    }

    /**
     * A TCP connect to each backend at once, from the calling thread's namespace: which answered within the timeout. With
     * {@code v6} (the service has an IPv6 VIP) a backend's IPv6 address is checked too, and it answers only if both do: a
     * backend serving one family only would otherwise take the other's connections and refuse them.
     */
    static Map<ServiceRecord.Backend, Boolean> probe(List<ServiceRecord.Backend> backends, boolean v6) throws java.io.IOException {
        Map<ServiceRecord.Backend, Boolean> out = new HashMap<>();
        Map<SocketChannel, ServiceRecord.Backend> open = new HashMap<>();
        java.util.Set<SocketChannel> pending = new java.util.HashSet<>();
        try (Selector selector = Selector.open()) {
            for (ServiceRecord.Backend b : backends) {
                out.put(b, true);
                for (String address : v6 && b.address6() != null ? List.of(b.address(), b.address6()) : List.of(b.address())) {
                    SocketChannel ch = SocketChannel.open(address.contains(":") ? java.net.StandardProtocolFamily.INET6
                            : java.net.StandardProtocolFamily.INET);
                    open.put(ch, b);
                    ch.configureBlocking(false);
                    try {
                        if (!ch.connect(new InetSocketAddress(java.net.InetAddress.getByName(address), b.port()))) {
                            ch.register(selector, SelectionKey.OP_CONNECT);
                            pending.add(ch);
                        }
                    } catch (java.io.IOException refused) {
                        out.put(b, false);
                    }
                }
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
            for (long left; !selector.keys().isEmpty() && (left = deadline - System.nanoTime()) > 0; ) {
                selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                for (SelectionKey k : selector.selectedKeys()) {
                    SocketChannel ch = (SocketChannel) k.channel();
                    pending.remove(ch);
                    try {
                        if (!ch.finishConnect()) {
                            out.put(open.get(ch), false);
                        }
                    } catch (java.io.IOException refused) {
                        out.put(open.get(ch), false);
                    }
                    k.cancel();
                }
                selector.selectedKeys().clear();
                selector.selectNow(); // let the cancelled keys go
            }
            pending.forEach(ch -> out.put(open.get(ch), false)); // no answer within the timeout
        } finally {
            for (SocketChannel ch : open.keySet()) {
                ch.close();
            }
        }
        return out;
    }

    private void post(String type, ServiceRecord r, ServiceRecord.Backend b, int times) {
        EventAdmin admin = events;
        if (admin == null) {
            return;
        }
        Map<String, Object> p = new HashMap<>();
        p.put(PatchbayEvents.TYPE, type);
        p.put(PatchbayEvents.TIME, System.currentTimeMillis());
        p.put(PatchbayEvents.NETWORK, r.network());
        p.put(PatchbayEvents.CONTAINER, b.container() == null ? b.netns() : b.container());
        p.put(PatchbayEvents.DETAIL, "service " + r.name() + " backend " + b.netns() + " " + b.address() + ":" + b.port()
                + (type.endsWith("down") ? " failed " : " answered ") + times + " checks in a row");
        admin.postEvent(new Event(PatchbayEvents.PREFIX + type, p));
    }
}
