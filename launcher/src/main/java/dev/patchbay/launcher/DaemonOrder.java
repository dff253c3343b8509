package dev.patchbay.launcher;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The order of a container's CNI calls in the daemon: the calls of one container and interface (one
 * {@code CNI_CONTAINERID} and {@code CNI_IFNAME}, in one namespace and state directory) run one at a time, in the order
 * they were read; other requests run as workers are free.
 *
 * <p>Queueing rather than refusing: a runtime that gave up on an ADD (it killed the shim on its timeout) sends DEL and
 * expects it to hold. The DEL now waits for the ADD ahead of it: the ADD is not started if its client is gone (see
 * {@link DaemonConnection#clientGone}), and if it had started, the DEL runs after it and undoes it. Either way no ADD
 * takes effect after a DEL of the same container and interface was answered. Refusing the DEL ("busy, try again")
 * would leave the container attached unless the runtime retries its cleanup; waiting costs the DEL only the ADD's time.
 */
final class DaemonOrder {
    private final Executor pool;
    private final Map<String, ArrayDeque<Runnable>> waiting = new HashMap<>();

    DaemonOrder(Executor pool) {
        this.pool = pool;
    }

    /** The container and interface a call is about, or null (a command line; a CNI GC or STATUS). */
    static String key(DaemonSocket.Call call) {
        if (!(call instanceof DaemonSocket.CniCall cni)) {
            return null;
        }
        String id = cni.env().get("CNI_CONTAINERID");
        if (id == null || id.isEmpty()) {
            return null;
        }
        return cni.netns() + "\0" + cni.env().getOrDefault("PATCHBAY_STATE_DIR", "") + "\0" + id + "\0"
                + cni.env().getOrDefault("CNI_IFNAME", "");
    }

    /** Runs {@code task} on the pool, after the tasks of the same key submitted before it. */
    void submit(String key, Runnable task) {
        if (key == null) {
            pool.execute(task);
            return;
        }
        synchronized (waiting) {
            ArrayDeque<Runnable> queue = waiting.get(key);
            if (queue != null) {
                queue.add(task);
                return;
            }
            waiting.put(key, new ArrayDeque<>());
        }
        start(key, task);
    }

    private void start(String key, Runnable task) {
        try {
            pool.execute(() -> {
                try {
                    task.run();
                } finally {
                    next(key);
                }
            });
        } catch (RejectedExecutionException e) { // stopping: nothing more runs
            synchronized (waiting) {
                waiting.remove(key);
            }
        }
    }

    private void next(String key) {
        Runnable next;
        synchronized (waiting) {
            ArrayDeque<Runnable> queue = waiting.get(key);
            next = queue == null ? null : queue.poll();
            if (next == null) {
                waiting.remove(key);
            }
        }
        if (next != null) {
            start(key, next);
        }
    }
}
