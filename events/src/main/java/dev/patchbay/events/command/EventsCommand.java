package dev.patchbay.events.command;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import dev.patchbay.events.PatchbayEvents;
import dev.patchbay.host.plugins.CommandProperties;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleListener;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code patchbay events [-n NS] [-o json] [--filter TYPE]...}: Patchbay's own events (Event Admin topics
 * {@value PatchbayEvents#TOPICS}, bundles installed and removed) and the kernel's link, address and route events of the
 * namespace, one line each as they happen, until interrupted. The command's service says it streams
 * ({@value #STREAMS}): the daemon sends its output as it is flushed, and interrupts it when the client goes away.
 */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE, property = EventsCommand.STREAMS + "=true")
@PatchbayCommandName("events")
@Command(name = "events", mixinStandardHelpOptions = true,
        description = {"Stream Patchbay's own events (network-created, network-removed, attached, detached, published, "
                + "unpublished, repaired, health-changed, service-backend-down, service-backend-up, backend-swapped, plugin-installed, "
                + "plugin-removed) and the kernel's link, address, "
                + "route and neighbour changes of the namespace (-n; link-new, link-del, addr-new, addr-del, route-new, route-del, "
                + "neigh-new, neigh-del), "
                + "one line each with its RFC 3339 time (UTC), as they happen, until interrupted.",
                "-o json: one object per line (time, source patchbay|kernel, type, network, container, link, detail).",
                "Through the daemon it sees every command and repair the daemon runs; without a daemon "
                        + "(PATCHBAY_DAEMON=off) only this process's own events, and the kernel's."})
public final class EventsCommand implements PatchbayCommand {
    /** The service property of a command whose output the daemon streams (launcher: DaemonStream). */
    public static final String STREAMS = CommandProperties.STREAMS;

    @Reference
    NetworkStack stack;

    private final BundleContext ctx;

    @Spec
    CommandSpec spec;

    @Option(names = "--filter", paramLabel = "TYPE", description = "Only these: a type (attached), a group (network, link, "
            + "addr, route, neigh, service, plugin) or a source (patchbay, kernel). Repeatable.")
    List<String> filters;

    @Activate
    public EventsCommand(BundleContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        CliContext cli = CliContext.of(spec);
        Filter filter = Filter.of(filters); // before anything is opened
        BlockingQueue<Line> queue = new LinkedBlockingQueue<>();
        Dictionary<String, Object> topics = new Hashtable<>();
        topics.put(EventConstants.EVENT_TOPIC, PatchbayEvents.TOPICS);
        ServiceRegistration<EventHandler> handler = ctx.registerService(EventHandler.class, e -> queue.add(own(e)), topics);
        BundleListener bundles = e -> {
            Line l = Plugins.line(e.getType(), e.getBundle().getSymbolicName(), e.getBundle().getVersion().toString(), Instant.now());
            if (l != null) {
                queue.add(l);
            }
        };
        ctx.addBundleListener(bundles);
        NetnsHandle h = null;
        AutoCloseable monitor = null;
        try {
            if (filter.wantsKernel()) {
                Kernel kernel = new Kernel();
                h = stack.open(cli.netns());
                monitor = h.monitor(e -> queue.add(kernel.line(e, Instant.now())));
                kernel.know(h.links().list());
            }
            cli.err().println("patchbay: events: listening (until interrupted)");
            cli.err().flush();
            return stream(queue, filter, cli.json(), cli.out());
        } finally {
            close(monitor);
            if (h != null) {
                h.close();
            }
            ctx.removeBundleListener(bundles);
            handler.unregister();
        }
    }

    /** Prints what passes the filter until interrupted or the output is gone. */
    static int stream(BlockingQueue<Line> queue, Filter filter, boolean json, PrintWriter out) {
        try {
            while (true) {
                Line l = queue.take();
                if (filter.accepts(l)) {
                    out.println(json ? l.json() : l.text());
                    out.flush();
                    if (out.checkError()) {
                        return 0; // nobody reads any more
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** A posted event as a line. */
    static Line own(Event e) {
        Object t = e.getProperty(PatchbayEvents.TIME);
        Instant at = t instanceof Long ms ? Instant.ofEpochMilli(ms) : Instant.now();
        Object type = e.getProperty(PatchbayEvents.TYPE);
        return new Line(at, Line.PATCHBAY, type != null ? type.toString() : e.getTopic().substring(PatchbayEvents.PREFIX.length()),
                str(e, PatchbayEvents.NETWORK), str(e, PatchbayEvents.CONTAINER), null, str(e, PatchbayEvents.DETAIL));
    }

    private static String str(Event e, String key) {
        Object v = e.getProperty(key);
        return v == null ? null : v.toString();
    }

    private static void close(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception ignored) {
            // stopping anyway
        }
    }
}
