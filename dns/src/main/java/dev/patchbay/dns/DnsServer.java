package dev.patchbay.dns;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.orchestrator.network.NetworkManager;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.xbill.DNS.Message;

/**
 * In the daemon (framework property {@code patchbay.daemon=true}): the DNS server of every network of its state
 * directory whose chain has {@code dns} switched on, listening on the network's gateway addresses in the daemon's
 * namespace (a network living in another namespace has no gateway here: it is not served). What it serves comes from
 * the records, read at start and every {@value #EVERY_SECONDS} s, and from the dns plugin when a change runs in the
 * daemon ({@link #told}): the plugin's word holds until the records agree (its change committed) or for
 * {@value #GRACE_SECONDS} s (a change that failed and was undone told it too). Idle in one-shot CLI runs.
 */
@Component(service = DnsServer.class, immediate = true)
public final class DnsServer {
    static final long EVERY_SECONDS = 5;
    static final long GRACE_SECONDS = 60;
    private final NetworkManager manager;
    private final Path stateDir;
    private final ScheduledExecutorService control;
    private final ExecutorService pool;
    private final Upstreams upstreams = new Upstreams(Upstreams.RESOLV_CONF);
    private final Table table = new Table(TimeUnit.SECONDS.toNanos(GRACE_SECONDS));
    /** The served networks by the addresses their server listens on (the gateways). */
    private volatile Map<InetAddress, String> served = Map.of();
    /** The control thread's alone. */
    private final Map<InetAddress, Listener> listeners = new HashMap<>();
    private final Set<InetAddress> unbindable = new HashSet<>();

    @Activate
    public DnsServer(BundleContext ctx, @Reference NetworkManager manager) {
        this.manager = manager;
        if (!"true".equals(ctx.getProperty("patchbay.daemon"))) {
            stateDir = null;
            control = null;
            pool = null;
            return;
        }
        String dir = ctx.getProperty("patchbay.state.dir");
        stateDir = dir == null || dir.isEmpty() ? CliContext.DEFAULT_STATE_DIR : Path.of(dir);
        control = Executors.newSingleThreadScheduledExecutor(r -> daemonThread(r, "patchbay-dns"));
        pool = new ThreadPoolExecutor(0, 64, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> daemonThread(r, "patchbay-dns-query"), new ThreadPoolExecutor.DiscardPolicy());
        control.scheduleWithFixedDelay(this::reread, 0, EVERY_SECONDS, TimeUnit.SECONDS);
        Told.serving(this);
    }

    private static Thread daemonThread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** The plugin's word on a network (null config: removed), served before this returns (in the daemon). */
    void told(String network, NetworkConfig config) {
        if (control != null) {
            synchronized (this) {
                table.tell(network, config, System.nanoTime());
            }
            applyNow();
        }
    }

    /** The plugin's word on an attachment (null: detached). */
    void told(String network, String container, Attachment attachment) {
        if (control != null) {
            synchronized (this) {
                table.tell(network, container, attachment, System.nanoTime());
            }
            applyNow();
        }
    }

    private void applyNow() {
        try {
            control.submit(this::apply).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
            // served on the next read of the records
        }
    }

    /** The records read again: what they say replaces what was read before; the plugin's word they agree with is dropped. */
    private void reread() {
        Map<String, NetworkConfig> networks = new HashMap<>();
        Map<String, List<Attachment>> attachments = new HashMap<>();
        try {
            for (NetworkConfig c : manager.networks(stateDir).list()) {
                networks.put(c.name(), c);
                try {
                    attachments.put(c.name(), manager.attachments(stateDir).list(c.name()));
                } catch (PatchbayException e) {
                    attachments.put(c.name(), List.of()); // damaged: gc --repair says so
                }
            }
        } catch (RuntimeException e) {
            return; // the state directory cannot be read now: serve what was read before
        }
        synchronized (this) {
            table.recorded(networks, attachments, System.nanoTime());
        }
        apply();
    }

    /** Zones from the records and the plugin's word, then the listeners made to match: on the control thread. */
    private void apply() {
        Map<InetAddress, String> want;
        synchronized (this) {
            want = table.listening();
        }
        served = Map.copyOf(want);
        listeners.entrySet().removeIf(e -> {
            if (!want.containsKey(e.getKey())) {
                e.getValue().close();
                return true;
            }
            return false;
        });
        for (InetAddress a : want.keySet()) {
            if (!listeners.containsKey(a)) {
                try {
                    listeners.put(a, Listener.open(a, Listener.PORT, q -> answer(a, q), pool));
                    unbindable.remove(a);
                } catch (IOException e) {
                    if (unbindable.add(a)) { // said once; tried again at each read of the records
                        System.err.println("patchbay: dns: cannot listen on " + a.getHostAddress() + " port " + Listener.PORT + " (network \""
                                + want.get(a) + "\"): " + e.getMessage());
                    }
                }
            }
        }
        unbindable.retainAll(want.keySet());
    }

    /** A query that came to {@code local}: its network's own answer, else the upstreams'. */
    private Message answer(InetAddress local, Message query) {
        String network = served.get(local);
        Zone z;
        synchronized (this) {
            z = network == null ? null : table.zone(network);
        }
        Message own = z == null ? null : z.answer(query);
        return own != null ? own : upstreams.forward(query, served.keySet());
    }

    @Deactivate
    void stop() {
        if (control == null) {
            return;
        }
        Told.stopped(this);
        control.shutdownNow();
        try {
            control.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        listeners.values().forEach(Listener::close);
        listeners.clear();
        pool.shutdownNow();
    }
}
