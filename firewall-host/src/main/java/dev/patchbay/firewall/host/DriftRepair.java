package dev.patchbay.firewall.host;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.state.HostSetting;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * In the daemon (framework property {@code patchbay.daemon=true}), puts back rules someone flushed:
 * every {@code patchbay.repair.seconds} (default 2; the configuration's repair-seconds, looked at every second, so a
 * reload of the daemon's configuration applies within one) it compares what the state records with what the
 * kernel holds in the daemon's namespace and re-applies what is missing. Idle in one-shot CLI runs. (Bridges, gateways
 * and links someone deleted are the network package's: {@code DaemonWatch}, on the kernel's events.)
 */
@Component(immediate = true)
public final class DriftRepair {
    /** Firewall owners drift repair re-applied since the bundle started (the daemon's metrics, {@link FirewallMetrics}). */
    static final java.util.concurrent.atomic.LongAdder REPAIRS = new java.util.concurrent.atomic.LongAdder();
    private final ScheduledExecutorService timer;

    @Reference
    FirewallManager firewall;

    @Activate
    public DriftRepair(BundleContext ctx) {
        if (!"true".equals(ctx.getProperty("patchbay.daemon"))) {
            timer = null;
            return;
        }
        String dir = ctx.getProperty("patchbay.state.dir");
        Path stateDir = dir == null || dir.isEmpty() ? CliContext.DEFAULT_STATE_DIR : Path.of(dir);
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "patchbay-drift-repair");
            t.setDaemon(true);
            return t;
        });
        this.ctx = ctx;
        this.last = System.nanoTime();
        timer.scheduleWithFixedDelay(() -> tick(stateDir), 1, 1, TimeUnit.SECONDS);
    }

    private BundleContext ctx;
    /** The interval last used: a change is said once in the log. */
    private long lastSeconds;
    /** When the last repair ended (System.nanoTime). */
    private long last;

    /** Every second: a repair once the interval, as configured now, has passed since the last one. */
    private void tick(Path stateDir) {
        if (System.nanoTime() - last >= TimeUnit.SECONDS.toNanos(seconds())) {
            repair(stateDir);
            last = System.nanoTime();
        }
    }

    /** {@code patchbay.repair.seconds} now (1 to 99999), else 2. */
    private long seconds() {
        String v = ctx.getProperty(HostSetting.REPAIR_SECONDS);
        long s = v != null && v.matches("[1-9][0-9]{0,4}") ? Long.parseLong(v) : 2;
        if (lastSeconds != 0 && s != lastSeconds) {
            System.err.println("patchbay: daemon: drift repair now every " + s + " s (was " + lastSeconds + " s)");
        }
        lastSeconds = s;
        return s;
    }

    /** Whether the log said that backend none keeps no rules (said once, again only after another backend was used). */
    private boolean saidNone;

    private void repair(Path stateDir) {
        try {
            FirewallHost.Repair done = firewall.host(stateDir, NetnsRef.current()).repair();
            List<RulesetOwner> repaired = done.owners();
            boolean none = "none".equals(done.backend());
            if (none && !saidNone) {
                System.err.println("patchbay: daemon: the firewall backend is \"none\": Patchbay keeps no rules here, so drift repair"
                        + " has nothing to put back");
            }
            saidNone = none;
            if (!repaired.isEmpty()) {
                REPAIRS.add(repaired.size());
                System.err.println("patchbay: daemon: re-applied the firewall rules of "
                        + String.join(", ", repaired.stream().map(o -> OwnerWords.words(o.id())).toList()) + " (they had been removed)");
            }
        } catch (RuntimeException e) {
            System.err.println("patchbay: daemon: drift repair failed: " + e.getMessage());
        }
    }

    @Deactivate
    void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
