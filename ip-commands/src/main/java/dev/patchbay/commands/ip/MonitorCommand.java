package dev.patchbay.commands.ip;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.NetEvent;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code patchbay monitor}: link, address and route events of a namespace as they happen (like {@code ip monitor}). */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("monitor")
@Command(name = "monitor", mixinStandardHelpOptions = true,
        description = {"Print link, address and route events of the namespace as they happen (like `ip monitor`).",
            "With -o json, one JSON object per line. Runs until interrupted, --count events or --timeout."})
public final class MonitorCommand implements PatchbayCommand {
    private static final Gson LINE = new GsonBuilder().disableHtmlEscaping().create();

    @Reference
    NetworkStack stack;

    @Spec
    CommandSpec spec;

    @Option(names = "--count", paramLabel = "N", description = "Stop after N events.")
    Integer count;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Stop after this many seconds.")
    Integer timeout;

    @Override
    public Integer call() throws Exception {
        if (count != null && count <= 0) {
            throw new InvalidInputException("monitor --count", count, "must be positive");
        }
        if (timeout != null && timeout <= 0) {
            throw new InvalidInputException("monitor --timeout", timeout, "must be positive");
        }
        CliContext cli = CliContext.of(spec);
        PrintWriter out = cli.out();
        CountDownLatch done = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicLong left = new java.util.concurrent.atomic.AtomicLong(count == null ? Long.MAX_VALUE : count);
        try (NetnsHandle h = Cli.open(stack, spec);
             AutoCloseable m = h.monitor(e -> {
                 long n = left.getAndDecrement();
                 if (n <= 0) {
                     return; // --count reached; the monitor is closing
                 }
                 synchronized (out) {
                     out.println(cli.json() ? LINE.toJson(json(e)) : text(e));
                     out.flush();
                 }
                 if (n == 1) {
                     done.countDown();
                 }
             })) {
            if (timeout != null) {
                done.await(timeout, TimeUnit.SECONDS);
            } else {
                done.await();
            }
        }
        return 0;
    }

    static Map<String, Object> json(NetEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", e.type().name().toLowerCase(Locale.ROOT).replace('_', ' '));
        m.put("ifindex", e.linkIndex());
        if (e.link() != null) {
            m.put("ifname", e.link().name().value());
            m.put("kind", e.link().kind());
            m.put("up", e.link().up());
        }
        if (e.address() != null) {
            m.put("address", e.address().toString());
        }
        if (e.neighbour() != null) {
            m.put("dst", IpAddresses.format(e.neighbour().address()));
            m.put("dev", e.neighbour().device().value());
            m.put("lladdr", e.neighbour().mac() == null ? null : e.neighbour().mac().value());
            m.put("permanent", e.neighbour().permanent());
        }
        if (e.route() != null) {
            RouteCommand.RouteView v = RouteCommand.RouteView.of(e.route());
            m.put("dst", v.dst());
            m.put("gateway", v.gateway());
            m.put("dev", v.dev());
            m.put("table", v.table());
        }
        return m;
    }

    static String text(NetEvent e) {
        String what = e.type().name().toLowerCase(Locale.ROOT).replace('_', ' ');
        if (e.link() != null) {
            return what + " " + e.link().name() + " index " + e.link().index() + (e.link().kind() == null ? "" : " " + e.link().kind())
                    + (e.link().up() ? " up" : " down");
        }
        if (e.address() != null) {
            return what + " " + e.address() + " ifindex " + e.linkIndex();
        }
        if (e.neighbour() != null) {
            var n = e.neighbour();
            return what + " " + IpAddresses.format(n.address()) + " dev " + n.device() + (n.mac() == null ? "" : " lladdr " + n.mac().value())
                    + (n.permanent() ? " permanent" : "");
        }
        var r = e.route();
        return what + " " + (r.isDefault() ? "default" : r.destination().toString())
                + (r.gateway() == null ? "" : " via " + IpAddresses.format(r.gateway())) + (r.device() == null ? "" : " dev " + r.device())
                + (r.table() == null ? "" : " table " + r.table());
    }
}
