package dev.patchbay.plugin.overlay;

import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.spi.NetnsHandle;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One node's part of an overlay network while its process runs (the daemon): renews the node's lease a third of its TTL
 * before it would end, takes the same subnet again under a new lease if it ended anyway (etcd away longer than the TTL),
 * and keeps the kernel's routes, neighbours and forwarding entries to the other nodes in step with etcd: each change a
 * watch sees is applied as it comes, and after the watch broke the next renewal reads every node again (what it missed,
 * should etcd have compacted it away). While etcd cannot be reached nothing is withdrawn: the pods keep their connectivity.
 */
final class Keeper implements AutoCloseable {
    private final OverlayStore store;
    private final OverlayOptions options;
    private final NetnsHandle host;
    private final IfName vx;
    private final Peer me;
    private final Consumer<String> log;
    private final ScheduledExecutorService timer;
    private volatile long lease;
    private volatile long ttlLeft;
    private volatile List<Peer> peers = List.of();
    private volatile AutoCloseable watch;
    /** Every node's record as etcd last said, by name: the range at start, then each change the watch reports. */
    private final java.util.Map<String, Peer> known = new java.util.concurrent.ConcurrentHashMap<>();
    /** The watch broke since the last full read: the next renewal reads every node again. */
    private volatile boolean stale;
    /** Applies the network's VXLAN port's firewall rule for the underlay addresses given (those holding a lease); may be a no-op. */
    private final Consumer<List<java.net.InetAddress>> fence;
    /** The addresses the rule was last applied for (null: not applied yet, or it failed). */
    private List<java.net.InetAddress> fenced;

    Keeper(OverlayStore store, OverlayOptions options, NetnsHandle host, IfName vx, Peer me, long lease, Consumer<String> log,
           Consumer<List<java.net.InetAddress>> fence) {
        this.fence = fence;
        this.store = store;
        this.options = options;
        this.host = host;
        this.vx = vx;
        this.me = me;
        this.lease = lease;
        this.log = log;
        this.ttlLeft = options.leaseTtl();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "overlay " + options.network());
            t.setDaemon(true);
            return t;
        });
    }

    /** Publishes the node, programs the peers there are now, then renews and watches in the background. */
    void start() {
        store.publish(me, lease);
        long revision = sync();
        watch = store.etcd().watch(store.nodesPrefix(), revision + 1, events -> timer.execute(() -> apply(events)), e -> {
            stale = true;
            log.accept("overlay " + options.network() + ": etcd watch broke (" + e.getMessage() + "), opening it again");
        });
        long period = Math.max(1, options.leaseTtl() / 3);
        timer.scheduleWithFixedDelay(this::renew, period, period, TimeUnit.SECONDS);
    }

    /** Reads every node's record and programs the kernel from them: at start, and after the watch broke. */
    private long sync() {
        OverlayStore.Nodes all = store.nodesAt();
        known.clear();
        all.peers().forEach(p -> known.put(p.node(), p));
        stale = false;
        program();
        return all.revision();
    }

    /**
     * A repair: every node read from etcd again and the kernel programmed from it (what someone deleted put back, what no
     * lease holds removed, the firewall rule applied again), on the keeper's own thread, after what it is doing; with etcd
     * away, programmed from what is known.
     */
    void reprogram() {
        Runnable again = () -> {
            fenced = null;
            try {
                sync();
            } catch (PatchbayException e) {
                stale = true;
                log.accept("overlay " + options.network() + ": " + e.getMessage() + " (repaired from what was known)");
                program();
            }
        };
        try {
            timer.submit(again).get(15, TimeUnit.SECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            program();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.patchbay.core.errors.UnavailableException("interrupted while repairing network \"" + options.network() + "\"", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new dev.patchbay.core.errors.UnavailableException("the keeper of network \"" + options.network() + "\" did not repair in 15 s", e);
        }
    }

    private synchronized void program() {
        peers = PeerRoutes.others(List.copyOf(known.values()), me.node());
        List<java.net.InetAddress> leased = new java.util.ArrayList<>(List.of(me.underlay()));
        peers.forEach(p -> leased.add(p.underlay()));
        List<java.net.InetAddress> sorted = leased.stream().distinct()
                .sorted(java.util.Comparator.comparing(dev.patchbay.core.model.IpAddresses::format)).toList();
        if (!sorted.equals(fenced)) { // the firewall first: a new peer's packets are let in before its route is there
            fenced = null;
            fence.accept(sorted);
            fenced = sorted;
        }
        PeerRoutes.sync(host, vx, peers);
    }

    /** One batch of changes the watch saw, applied to what is known (no read of etcd: a node's arrival costs the others one event). */
    private void apply(List<dev.patchbay.plugin.overlay.etcd.WatchEvent> events) {
        try {
            for (dev.patchbay.plugin.overlay.etcd.WatchEvent e : events) {
                String node = e.kv().key().substring(store.nodesPrefix().length());
                if (e.type() == dev.patchbay.plugin.overlay.etcd.WatchEvent.Type.DELETE) {
                    known.remove(node);
                } else {
                    known.put(node, Peer.parse(node, e.kv().value(), e.kv().lease()));
                }
            }
            program();
        } catch (RuntimeException e) {
            stale = true;
            log.accept("overlay " + options.network() + ": " + e.getMessage());
        }
    }

    private void renew() {
        try {
            long left = store.etcd().keepAlive(lease);
            if (left == 0) {
                log.accept("overlay " + options.network() + ": the lease of node \"" + me.node() + "\" ended; taking " + me.subnet() + " again");
                lease = store.retake(options, me.subnet());
                store.publish(me, lease);
                left = options.leaseTtl();
            }
            ttlLeft = left;
            if (stale) {
                sync();
            }
        } catch (PatchbayException e) {
            log.accept("overlay " + options.network() + ": " + e.getMessage() + " (routes kept)");
        } catch (RuntimeException e) {
            log.accept("overlay " + options.network() + ": " + e);
        }
    }

    long lease() {
        return lease;
    }

    long ttlLeft() {
        return ttlLeft;
    }

    Peer me() {
        return me;
    }

    List<Peer> peers() {
        return peers;
    }

    /** Stops renewing and watching; the lease runs out on its own unless {@link OverlayStore#release} ends it. */
    @Override
    public void close() {
        timer.shutdownNow();
        try { // a change being applied ends first: its firewall rule is not applied after the network's rm removed it
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        AutoCloseable w = watch;
        if (w != null) {
            try {
                w.close();
            } catch (Exception ignored) {
                // stopping is all that is wanted
            }
        }
    }
}
