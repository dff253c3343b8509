package dev.patchbay.netlink;

import dev.patchbay.sys.NetlinkError;
import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.sys.Sys;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Platform threads that do namespace work and nothing else. A worker enters a task's namespace with
 * setns(2), runs the task, and enters the process's own namespace again (the one the JVM started
 * in, held open as a file descriptor) before it goes back to the idle list. Reusing a worker spares
 * a thread start per entry (about 0.15-0.2 ms of the 0.25 ms a fresh thread cost); the invariant is
 * the same: no thread waits or serves anything else while in a foreign namespace. A worker that
 * cannot go back ends instead of going idle. At most {@link #IDLE} workers wait; more exit after
 * their task.
 */
final class NetnsWorkers {
    static final int IDLE = 4;
    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final ConcurrentLinkedDeque<Worker> idle = new ConcurrentLinkedDeque<>();
    /** The process's own namespace: where every worker starts and goes back to. */
    private static final int HOME = home();

    private NetnsWorkers() {
    }

    private static int home() {
        int fd = Sys.libc().open("/proc/self/ns/net", Sys.O_RDONLY | Sys.O_CLOEXEC, 0);
        if (fd < 0) {
            throw new BackendException("failed to open the process's own network namespace (/proc/self/ns/net): errno "
                    + Sys.errno());
        }
        return fd;
    }

    /** Runs {@code task} in the namespace {@code fd} refers to (an open namespace file), on a worker; waits for it. */
    static <T> T call(NetnsRef netns, int fd, Callable<T> task) {
        Worker w = idle.pollFirst();
        if (w == null) {
            w = new Worker();
        }
        Job job = new Job(netns, fd, task);
        w.jobs.add(job);
        Object out = job.await();
        @SuppressWarnings("unchecked")
        T t = (T) out;
        return t;
    }

    /** One task and its outcome; the caller waits on {@link #await}. */
    private static final class Job {
        final NetnsRef netns;
        final int fd;
        final Callable<?> task;
        private final SynchronousQueue<Object[]> done = new SynchronousQueue<>();

        Job(NetnsRef netns, int fd, Callable<?> task) {
            this.netns = netns;
            this.fd = fd;
            this.task = task;
        }

        void finish(Object result, Throwable failure) {
            boolean interrupted = false;
            while (true) {
                try {
                    done.put(new Object[] {result, failure});
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        Object await() {
            Object[] r;
            boolean interrupted = false;
            while (true) {
                try {
                    r = done.take(); // the worker holds kernel state for us: always wait for it
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            Throwable f = (Throwable) r[1];
            if (f instanceof RuntimeException re) {
                throw re;
            }
            if (f instanceof Error err) {
                throw err;
            }
            if (f != null) {
                throw new BackendException("task in " + netns.describe() + " failed: " + f.getMessage(), f);
            }
            return r[0];
        }
    }

    private static final class Worker implements Runnable {
        final BlockingQueue<Job> jobs = new ArrayBlockingQueue<>(1);

        Worker() {
            Thread t = new Thread(this, "patchbay-netns-worker-" + COUNT.incrementAndGet());
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void run() {
            // a thread inherits its creator's namespace, which may be a foreign one (a task that enters another)
            boolean home = Sys.libc().setns(HOME, Sys.CLONE_NEWNET) == 0;
            while (true) {
                Job job;
                try {
                    job = jobs.take();
                } catch (InterruptedException e) {
                    return;
                }
                if (!home) {
                    job.finish(null, NetnsThreads.fail("enter", NetnsRef.current(), new NetlinkError(Sys.errno(), "setns (own namespace)")));
                    return;
                }
                Object result = null;
                Throwable failure = null;
                try {
                    if (Sys.libc().setns(job.fd, Sys.CLONE_NEWNET) < 0) {
                        throw NetnsThreads.fail("enter", job.netns, new NetlinkError(Sys.errno(), "setns"));
                    }
                    result = job.task.call();
                } catch (Throwable e) {
                    failure = e;
                }
                home = Sys.libc().setns(HOME, Sys.CLONE_NEWNET) == 0;
                job.finish(result, failure);
                if (!home || idle.size() >= IDLE) {
                    return; // stranded in a foreign namespace, or enough are waiting: end
                }
                idle.addFirst(this);
            }
        }
    }
}
