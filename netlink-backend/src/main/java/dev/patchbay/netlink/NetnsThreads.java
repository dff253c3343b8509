package dev.patchbay.netlink;

import dev.patchbay.sys.NetlinkError;
import dev.patchbay.core.errors.BackendException;
import dev.patchbay.sys.Errno;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.errors.NotPermittedException;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.sys.LibC;
import dev.patchbay.sys.Sys;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The only place that switches a thread's network namespace. setns(2) acts on the calling OS
 * thread alone, so a task runs on a dedicated platform thread that enters the target namespace,
 * runs it, and goes back to the process's own namespace before it takes the next task (see
 * {@link NetnsWorkers}); a worker that cannot go back ends. Caller threads never switch.
 */
final class NetnsThreads {
    private static final AtomicInteger COUNT = new AtomicInteger();

    private NetnsThreads() {
    }

    /** Opens the namespace file (O_RDONLY|O_CLOEXEC) on the calling thread; NotFoundException if absent. */
    static int openNetns(NetnsRef netns) {
        LibC libc = Sys.libc();
        int fd = libc.open(netns.path().toString(), Sys.O_RDONLY | Sys.O_CLOEXEC, 0);
        if (fd < 0) {
            int errno = Sys.errno();
            if (errno == Errno.ENOENT || errno == Errno.ESRCH) {
                throw new NotFoundException(netns.describe() + " not found (no " + netns.path() + ")",
                        new NetlinkError(errno, netns.path().toString()));
            }
            throw fail("open", netns, new NetlinkError(errno, netns.path().toString()));
        }
        return fd;
    }

    /** Runs {@code task} on a namespace worker that entered {@code netns} for it, and returns what it returned. */
    static <T> T callIn(NetnsRef netns, Callable<T> task) {
        int fd = openNetns(netns); // on the caller's thread: "current" means the caller's namespace
        try {
            return NetnsWorkers.call(netns, fd, task);
        } finally {
            Sys.libc().close(fd);
        }
    }

    /** Runs {@code task} on a new platform thread and waits for it; its exception is rethrown here. */
    static <T> T onFreshThread(String name, Callable<T> task) {
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                result[0] = task.call();
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, name + "-" + COUNT.incrementAndGet());
        t.setDaemon(true);
        t.start();
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the thread holds kernel state: always wait for it
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable f = failure[0];
        if (f instanceof RuntimeException r) {
            throw r;
        }
        if (f instanceof Error err) {
            throw err;
        }
        if (f != null) {
            throw new BackendException("task in " + name + " failed: " + f.getMessage(), f);
        }
        @SuppressWarnings("unchecked")
        T t2 = (T) result[0];
        return t2;
    }

    static PatchbayException fail(String verb, NetnsRef netns, NetlinkError e) {
        if (e.errno() == Errno.EPERM || e.errno() == Errno.EACCES) {
            return new NotPermittedException("failed to " + verb + " " + netns.describe() + ": " + e.getMessage()
                    + " (CAP_SYS_ADMIN is needed)", e);
        }
        return new BackendException("failed to " + verb + " " + netns.describe() + ": " + e.getMessage(), e);
    }
}
