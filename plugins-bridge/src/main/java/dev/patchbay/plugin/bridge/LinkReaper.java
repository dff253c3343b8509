package dev.patchbay.plugin.bridge;

import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkChange;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deletes the daemon's veth pairs off the request path. Deleting a link waits for an RCU grace period (15-25 ms on the
 * build VM: 90-97 % of a detach). So in a daemon a detach {@link #unplug unplugs}: one request (LinkOps.set) sets the host
 * end down (the container's end loses carrier at once: no traffic either way; a bridge port that is down forwards
 * nothing) and puts it in the link group {@link #GROUP}, Patchbay's mark for "to be deleted". The link is queued here
 * and one platform thread deletes what is queued: one request deleting the group (LinkOps.deleteGroup), so a whole
 * batch waits for one grace period (N single deletions wait N times, even sent in one datagram). Taking the port off its bridge (nomaster) and
 * renaming it would each wait for an expedited grace period (0.2-6 ms here, outliers near 100 ms), so the request
 * path does neither: the deletion takes it off the bridge.
 *
 * <p>Only marked links are deleted: a link gets the mark only from an unplug, by its index, so a new link of the same
 * name (a re-attach of the container) is never deleted with it. A set-up that finds the name taken deletes the waiting
 * pair first ({@link #clear}). Where the mark or the group's deletion is refused (a kernel refusing link groups), the
 * link is set down and deleted on its own by the batch, only if it is still what was queued: the same index and name,
 * a veth, down.
 *
 * <p>Crash safety: a daemon killed with links queued leaves them down and marked; the next batch in that namespace (a
 * group deletion takes all of them), and {@code patchbay gc} (the orchestrator's Recovery, which gc also runs at
 * daemon start), delete them. Without a daemon (a CLI process that exits at once) the bridge plugin deletes
 * synchronously and nothing of this runs. The thread starts with the first unplug and stops at {@link #close}, after
 * deleting what is queued.
 */
final class LinkReaper implements AutoCloseable {
    /** Framework property overriding when links are deleted in the background: {@code true} or {@code false}. */
    static final String PROPERTY = "patchbay.bridge.deferred-delete";
    /** The link group of links to be deleted ("pbde"); {@code patchbay gc} deletes it too (orchestrator PendingLinks). */
    static final int GROUP = 0x70626465;

    /** A queued host link: its namespace, index and name; {@code marked}: in {@link #GROUP}, else only set down. */
    record Pending(NetnsRef netns, int index, IfName name, boolean marked) {
    }

    private final NetworkStack stack;
    private final boolean background;
    private final List<Pending> queue = new ArrayList<>(); // guarded by this
    private int inFlight; // batches being deleted
    private Thread worker;
    private boolean closed;

    /** {@code background}: a thread deletes; else only {@link #clear} and {@link #close} do (tests). */
    LinkReaper(NetworkStack stack, boolean background) {
        this.stack = stack;
        this.background = background;
    }

    /** Whether a framework with these properties deletes in the background: a daemon's does, unless {@value #PROPERTY}=false. */
    static boolean wanted(String daemon, String override) {
        return override != null ? "true".equals(override) : "true".equals(daemon);
    }

    /**
     * Takes host link {@code hostIf} down, marks it and queues it for deletion. Absent: NotFoundException (nothing to
     * do). A link that is not a veth is deleted at once, as without a daemon.
     */
    void unplug(NetnsHandle host, IfName hostIf) {
        Link l = host.links().get(LinkRef.name(hostIf));
        LinkRef ref = LinkRef.index(l.index());
        if (!"veth".equals(l.kind())) {
            host.links().delete(ref);
            return;
        }
        boolean marked = true;
        try {
            host.links().set(ref, new LinkChange(false, null, null, GROUP)); // one request: down and marked
        } catch (NotFoundException gone) {
            return; // gone meanwhile
        } catch (RuntimeException refused) {
            marked = false;
            host.links().setUp(ref, false); // no mark: the batch checks it is still this link, down, before deleting it
        }
        if (!enqueue(new Pending(host.netns(), l.index(), l.name(), marked))) {
            host.links().delete(ref); // stopping: no one would delete it
        }
    }

    /** Queues {@code p}, starting the thread if need be; false once {@link #close} began. */
    private synchronized boolean enqueue(Pending p) {
        if (closed) {
            return false;
        }
        queue.add(p);
        if (background && worker == null) {
            worker = new Thread(this::work, "patchbay-link-reaper");
            worker.setDaemon(true);
            worker.start();
        }
        notifyAll();
        return true;
    }

    /** Links queued or being deleted. */
    synchronized int pending() {
        return queue.size() + inFlight;
    }

    /**
     * Deletes, in the calling thread, everything queued now and whatever is marked in {@code netns} (null: no namespace
     * besides the queued ones), and waits for a batch the thread is deleting (at most 30 s). True if anything was
     * pending or deleted: a set-up that found its names taken may try again.
     */
    boolean clear(NetnsRef netns) {
        List<Pending> batch;
        boolean any;
        synchronized (this) {
            any = !queue.isEmpty() || inFlight > 0;
            batch = take();
        }
        try {
            any |= delete(batch, netns);
        } finally {
            synchronized (this) {
                inFlight--;
                notifyAll();
            }
        }
        synchronized (this) {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (inFlight > 0 && System.nanoTime() < deadline) {
                try {
                    wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return any;
    }

    /** Stops the thread after it deleted what is queued (at most 30 s), then deletes what is left here. Later unplugs delete at once. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            t = worker;
            notifyAll();
        }
        if (t != null) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        clear(null);
    }

    private void work() {
        while (true) {
            List<Pending> batch;
            synchronized (this) {
                while (queue.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        closed = true;
                    }
                }
                if (queue.isEmpty()) {
                    worker = null;
                    return;
                }
                batch = take();
            }
            try {
                delete(batch, null);
            } catch (RuntimeException e) {
                System.err.println("patchbay: bridge: deleting unplugged links failed: " + e.getMessage());
            } finally {
                synchronized (this) {
                    inFlight--;
                    notifyAll();
                }
            }
        }
    }

    /** The whole queue, counted in flight; the caller holds the lock. */
    private List<Pending> take() {
        List<Pending> batch = new ArrayList<>(queue);
        queue.clear();
        inFlight++;
        return batch;
    }

    /** Deletes the batch, namespace by namespace, and the marked links of {@code also}; true if it deleted anything. */
    private boolean delete(List<Pending> batch, NetnsRef also) {
        Map<NetnsRef, List<Pending>> byNetns = new LinkedHashMap<>();
        if (also != null) {
            byNetns.put(also, new ArrayList<>());
        }
        for (Pending p : batch) {
            byNetns.computeIfAbsent(p.netns(), k -> new ArrayList<>()).add(p);
        }
        boolean any = false;
        for (Map.Entry<NetnsRef, List<Pending>> e : byNetns.entrySet()) {
            try {
                any |= delete(e.getKey(), e.getValue(), e.getKey().equals(also));
            } catch (NotFoundException gone) {
                // the namespace is gone, and its links with it
            } catch (RuntimeException failed) {
                System.err.println("patchbay: bridge: deleting unplugged links in " + e.getKey().describe() + " failed: " + failed.getMessage());
            }
        }
        return any;
    }

    /**
     * One namespace: the marked links as one group (which takes what a killed daemon marked too; {@code sweep}: even with
     * none queued), the others, and the marked ones where the group cannot be deleted, one by one if still as queued.
     */
    private boolean delete(NetnsRef netns, List<Pending> batch, boolean sweep) {
        List<Pending> single = new ArrayList<>();
        boolean anyMarked = sweep;
        for (Pending p : batch) {
            if (p.marked()) {
                anyMarked = true;
            } else {
                single.add(p);
            }
        }
        boolean any = false;
        try (NetnsHandle h = stack.open(netns)) {
            if (anyMarked) {
                try {
                    any = h.links().deleteGroup(GROUP); // one request; the grace period passes in here
                } catch (RuntimeException refused) { // a kernel refusing link groups: one by one, if still as queued
                    batch.stream().filter(Pending::marked).forEach(single::add);
                }
            }
            for (Pending p : single) {
                Link l = h.links().find(LinkRef.index(p.index())).orElse(null);
                if (l != null && l.name().equals(p.name()) && "veth".equals(l.kind()) && !l.up()) {
                    try {
                        h.links().delete(LinkRef.index(p.index()));
                        any = true;
                    } catch (NotFoundException gone) {
                        // deleted meanwhile
                    }
                }
            }
        }
        return any;
    }
}
