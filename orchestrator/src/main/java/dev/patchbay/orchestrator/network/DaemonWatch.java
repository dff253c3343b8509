package dev.patchbay.orchestrator.network;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.NetEvent;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetnsHandle;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * In the daemon (framework property {@code patchbay.daemon=true}), reconciles on the kernel's events: a link deleted
 * or an address removed in the daemon's namespace makes it look, 300 ms later (events come in bursts), at each network
 * there: a bridge that is gone or down is made again with its gateway, rules and ports; an attachment whose link was
 * deleted while its record stays (not a detach, which deletes the record too) is plugged in again. Also every
 * {@code patchbay.reconcile.seconds} (default 10), in case events were lost. Each look is one link lookup per network
 * when nothing is missing. Idle in one-shot CLI runs.
 */
@Component(immediate = true)
public final class DaemonWatch {
    private final ScheduledExecutorService timer;
    private final Path stateDir;
    private final Set<String> deleted = ConcurrentHashMap.newKeySet();
    private final Set<String> lostAddress = ConcurrentHashMap.newKeySet();
    private final Map<Integer, String> names = new ConcurrentHashMap<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final NetworkManager manager;
    private NetnsHandle host;
    private AutoCloseable monitor;

    @Activate
    public DaemonWatch(BundleContext ctx, @Reference NetworkManager manager) {
        this.manager = manager;
        if (!"true".equals(ctx.getProperty("patchbay.daemon"))) {
            timer = null;
            stateDir = null;
            return;
        }
        String dir = ctx.getProperty("patchbay.state.dir");
        stateDir = dir == null || dir.isEmpty() ? CliContext.DEFAULT_STATE_DIR : Path.of(dir);
        String every = ctx.getProperty("patchbay.reconcile.seconds");
        long seconds = every != null && every.matches("[1-9][0-9]{0,4}") ? Long.parseLong(every) : 10;
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "patchbay-reconcile");
            t.setDaemon(true);
            return t;
        });
        timer.execute(this::listen);
        timer.scheduleWithFixedDelay(this::look, seconds, seconds, TimeUnit.SECONDS);
    }

    private void listen() {
        try {
            host = manager.stack().open(NetnsRef.current());
            monitor = host.monitor(this::onEvent);
            for (Link l : host.links().list()) {
                names.put(l.index(), l.name().value());
            }
        } catch (RuntimeException e) {
            System.err.println("patchbay: daemon: no netlink events (" + e.getMessage() + "); reconciling every few seconds only");
        }
    }

    private void onEvent(NetEvent e) {
        try {
            switch (e.type()) {
                case LINK_NEW -> {
                    names.put(e.linkIndex(), e.link().name().value());
                    if (!e.link().up()) {
                        soon(); // a bridge set down
                    }
                }
                case LINK_DEL -> {
                    names.remove(e.linkIndex());
                    deleted.add(e.link().name().value());
                    soon();
                }
                case ADDR_DEL -> {
                    String name = names.get(e.linkIndex());
                    if (name != null) {
                        lostAddress.add(name);
                        soon();
                    }
                }
                default -> { }
            }
        } catch (RuntimeException ignored) {
            // never let the monitor's reader die
        }
    }

    private void soon() {
        if (timer != null && scheduled.compareAndSet(false, true)) {
            timer.schedule(this::look, 300, TimeUnit.MILLISECONDS);
        }
    }

    private void look() {
        scheduled.set(false);
        Set<String> gone = Set.copyOf(deleted);
        deleted.removeAll(gone);
        Set<String> lost = Set.copyOf(lostAddress);
        lostAddress.removeAll(lost);
        try {
            List<String> done = manager.recovery(stateDir).watch(NetnsRef.current(), gone, lost);
            done.forEach(d -> System.err.println("patchbay: daemon: " + d));
            dev.patchbay.orchestrator.metrics.Tally.LINK_REPAIRS.add(done.size());
        } catch (RuntimeException e) {
            System.err.println("patchbay: daemon: reconcile failed: " + e.getMessage());
        }
    }

    @Deactivate
    void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
        try {
            if (monitor != null) {
                monitor.close();
            }
        } catch (Exception ignored) {
            // stopping anyway
        }
        if (host != null) {
            host.close();
        }
    }
}
