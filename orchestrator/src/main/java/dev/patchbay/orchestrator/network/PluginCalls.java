package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.orchestrator.metrics.Tally;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Every call into a network plugin goes through here: on a thread of a pool, with a deadline
 * ({@value #TIMEOUT_ENV} seconds, default {@value #DEFAULT_SECONDS}), and with the plugin named in its failures.
 *
 * <ul>
 * <li>A plugin's own {@link PatchbayException} (a clear error it chose, e.g. an option it refuses) passes unchanged.</li>
 * <li>Anything else it throws (a bug of the plugin: NullPointerException, IllegalStateException, a linkage error) becomes
 * a {@link PluginFailure} naming the plugin (type, bundle symbolic name and version) and the step: exit 1, not an internal
 * error of Patchbay.</li>
 * <li>A call past its deadline fails the same way; the caller rolls back what was done. The plugin's thread cannot be
 * killed: it is interrupted and left to end on its own (a daemon thread, which the process's exit ends too). Whatever it
 * returns after the deadline is thrown away, and {@code lateUndo} undoes it (a set-up that finished late is torn down),
 * so a call that timed out never completes later as if nothing happened.</li>
 * </ul>
 */
final class PluginCalls {
    static final String TIMEOUT_ENV = "PATCHBAY_PLUGIN_TIMEOUT";
    static final long DEFAULT_SECONDS = 30;

    private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "patchbay-plugin-call");
        t.setDaemon(true);
        return t;
    });

    private PluginCalls() {
    }

    /**
     * The deadline of one plugin call, in seconds: {@value #TIMEOUT_ENV}, else the configuration's plugin-timeout, else
     * {@value #DEFAULT_SECONDS}.
     */
    static long timeoutSeconds() {
        String v = System.getenv(TIMEOUT_ENV);
        if (v == null || v.isBlank()) {
            String configured = dev.patchbay.state.HostSetting.get(dev.patchbay.state.HostSetting.PLUGIN_TIMEOUT);
            return configured != null && configured.matches("[0-9]{1,4}") ? Long.parseLong(configured) : DEFAULT_SECONDS;
        }
        try {
            long s = Long.parseLong(v.strip());
            if (s >= 1 && s <= 3600) {
                return s;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new InvalidInputException(TIMEOUT_ENV, v, "must be a whole number of seconds from 1 to 3600");
    }

    /** A call that returns nothing; nothing to undo when it ends late. */
    static void run(String who, String step, Runnable body) {
        call(who, step, () -> {
            body.run();
            return null;
        }, null);
    }

    /**
     * Runs {@code body} for the plugin {@code who} ({@code plugin "TYPE" (BUNDLE VERSION)}), doing {@code step} (e.g. {@code set up
     * "c1" on network "web"}), within the deadline. {@code lateUndo}, if given, receives what the call returns after its
     * deadline passed.
     */
    static <T> T call(String who, String step, Supplier<T> body, Consumer<T> lateUndo) {
        long seconds = timeoutSeconds();
        CompletableFuture<T> result = new CompletableFuture<>();
        AtomicReference<Thread> runner = new AtomicReference<>();
        POOL.execute(() -> {
            runner.set(Thread.currentThread());
            try {
                result.complete(body.get());
            } catch (Throwable t) { // a plugin's Error too (a NoClassDefFoundError of its bundle): named below
                result.completeExceptionally(t);
            } finally {
                runner.set(null);
                Thread.interrupted(); // the pool's thread starts its next call clean
            }
        });
        try {
            return result.get(seconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            result.whenComplete((late, failure) -> {
                String how = failure != null ? "failed (" + failure + ")" : lateUndo != null ? "returned: undoing what it did" : "returned";
                System.err.println("patchbay: " + who + ": " + step + " ended after its deadline and " + how);
                if (failure == null && lateUndo != null) {
                    try {
                        lateUndo.accept(late);
                    } catch (RuntimeException undo) {
                        System.err.println("patchbay: " + who + ": cannot undo the late " + step + ": " + undo.getMessage()
                                + " (patchbay gc finds what is left)");
                    }
                }
            });
            Thread t = runner.get();
            if (t != null) {
                t.interrupt();
            }
            Tally.PLUGIN_CALLS_TIMED_OUT.increment();
            throw new PluginFailure(who + ": " + step + " did not finish within " + seconds + " s (" + TIMEOUT_ENV
                    + " sets the deadline; default " + DEFAULT_SECONDS + "): abandoned, what it did is undone", null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof PatchbayException p) {
                throw p;
            }
            Tally.PLUGIN_CALLS_FAILED.increment();
            throw new PluginFailure(who + " failed to " + step + ": " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PatchbayException("interrupted while waiting for " + who + " to " + step);
        }
    }

    /** A plugin's failure: a bug of the plugin or a call past its deadline, named; exit 1. */
    static final class PluginFailure extends PatchbayException {
        private static final long serialVersionUID = 1L;

        PluginFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
