package dev.patchbay.launcher;

import dev.patchbay.host.cni.CniHandler;
import dev.patchbay.host.plugins.Providers;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;

/**
 * The {@link CniHandler} a CNI call goes to: of the registered ones, the one first by {@link Providers#ORDER}. Held
 * from the first call until the handler services change (a bundle stopped, updated or started), so the daemon looks it
 * up once, not per call; a handler that is replaced is given back once the calls running on it are done.
 */
final class CniHandlers implements AutoCloseable {
    private final BundleContext ctx;
    private final ServiceListener onChange = event -> drop();
    private Held held; // guarded by this

    /** A handler in use: given back when it is dropped and its last call ends. */
    private final class Held {
        final ServiceReference<CniHandler> ref;
        final CniHandler handler;
        final AtomicInteger users = new AtomicInteger(1); // 1: held by this class until dropped

        Held(ServiceReference<CniHandler> ref, CniHandler handler) {
            this.ref = ref;
            this.handler = handler;
        }

        void release() {
            if (users.decrementAndGet() == 0) {
                try {
                    ctx.ungetService(ref);
                } catch (RuntimeException ignored) {
                    // the framework may be stopping
                }
            }
        }
    }

    /** A handler taken for one call: {@link #close} gives it back. */
    interface Lease extends AutoCloseable {
        CniHandler handler();

        @Override
        void close();
    }

    CniHandlers(BundleContext ctx) {
        this.ctx = ctx;
        try {
            ctx.addServiceListener(onChange, "(objectClass=" + CniHandler.class.getName() + ")");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Serves {@code call} with the handler that serves first (see {@link CniRequest}); with none, exit 3 and why (a
     * component that waits for a service no bundle provides is named).
     */
    DaemonSocket.Reply serve(DaemonSocket.CniCall call, BooleanSupplier callerGone) {
        Lease lease = take();
        if (lease == null) {
            StringWriter why = new StringWriter();
            PrintWriter w = new PrintWriter(why);
            w.println("patchbay: no started bundle serves CNI calls (no " + CniHandler.class.getName() + " service)");
            MissingCommands.explainService(ctx, CniHandler.class.getName(), "the CNI handler", w);
            w.flush();
            return CniRequest.asCniReply(3, "", why.toString(), call.stdin());
        }
        try (lease) {
            return CniRequest.execute(call, lease.handler(), callerGone);
        }
    }

    /** The handler that serves first, taken for one call, or null when no started bundle registers one. */
    synchronized Lease take() {
        if (held == null) {
            held = lookUp();
            if (held == null) {
                return null;
            }
        }
        Held h = held;
        h.users.incrementAndGet();
        return new Lease() {
            @Override
            public CniHandler handler() {
                return h.handler;
            }

            @Override
            public void close() {
                h.release();
            }
        };
    }

    private Held lookUp() {
        java.util.Collection<ServiceReference<CniHandler>> refs;
        try {
            refs = ctx.getServiceReferences(CniHandler.class, null);
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        ServiceReference<CniHandler> best = refs.stream().min(Providers.ORDER).orElse(null);
        CniHandler handler = best == null ? null : ctx.getService(best);
        return handler == null ? null : new Held(best, handler);
    }

    private synchronized void drop() {
        if (held != null) {
            held.release();
            held = null;
        }
    }

    @Override
    public void close() {
        try {
            ctx.removeServiceListener(onChange);
        } catch (RuntimeException ignored) {
            // the framework is already stopping
        }
        drop();
    }
}
