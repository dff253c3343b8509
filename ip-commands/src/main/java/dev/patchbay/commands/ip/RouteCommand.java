package dev.patchbay.commands.ip;

import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import dev.patchbay.host.output.TextTable;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Route;
import dev.patchbay.core.model.Scope;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.RouteOps;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ServiceScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code patchbay route ...}: routes the {@code ip route} way. */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("route")
@Command(name = "route", mixinStandardHelpOptions = true, description = "Add, replace, delete and list routes (like `ip route`).",
        subcommands = {RouteCommand.Add.class, RouteCommand.Replace.class, RouteCommand.Del.class, RouteCommand.Show.class})
public final class RouteCommand extends IpCommand<RouteCommand.RouteView, Integer> {
    static final String USAGE = "DEST|default [via GATEWAY] [dev NAME] [src ADDRESS] [metric N] [table T] [scope link|host|global]";

    /** A route as printed (keys follow {@code ip -j route}). */
    record RouteView(String dst, String gateway, String dev, String prefsrc, Integer metric, String table, String scope) {
        static RouteView of(Route r) {
            return new RouteView(r.isDefault() ? "default" : r.destination().toString(),
                    r.gateway() == null ? null : IpAddresses.format(r.gateway()), r.device() == null ? null : r.device().value(),
                    r.source() == null ? null : IpAddresses.format(r.source()), r.metric(), Cli.tableName(r.table()),
                    r.scope() == null ? null : r.scope() == Scope.UNIVERSE ? "global" : r.scope().name().toLowerCase(Locale.ROOT));
        }
    }

    /** The routes of the main table, or of {@code table}. */
    @Override
    List<RouteView> list(NetnsHandle h, Integer table) {
        List<RouteView> views = new ArrayList<>();
        h.routes().list(null, table).forEach(r -> views.add(RouteView.of(r)));
        return views;
    }

    @Override
    String text(List<RouteView> views) {
        TextTable t = new TextTable("DESTINATION", "GATEWAY", "DEV", "SCOPE", "METRIC", "SRC");
        views.forEach(v -> t.row(v.dst(), v.gateway(), v.dev(), v.scope(), v.metric(), v.prefsrc()));
        return t.toString();
    }

    static Route parse(Cli.Words w) {
        String cmd = w.command();
        String dest = w.next();
        InetAddress via = null;
        IfName dev = null;
        InetAddress src = null;
        Integer metric = null;
        Integer table = null;
        Scope scope = null;
        while (w.more()) {
            String k = w.next();
            switch (k) {
                case "via": via = IpAddresses.parse(cmd + " via", w.value(k)); break;
                case "dev": dev = IfName.of(w.value(k)); break;
                case "src": src = IpAddresses.parse(cmd + " src", w.value(k)); break;
                case "metric": case "priority": case "preference": metric = w.intValue(k); break;
                case "table": table = Cli.table(cmd, w.value(k)); break;
                case "scope": scope = scope(cmd, w.value(k)); break;
                case "proto": w.value(k); break; // accepted for ip compatibility; routes are made with proto boot
                default: throw w.unknown(k);
            }
        }
        IpPrefix dst;
        if (dest.equals("default")) {
            Family f = via == null ? Family.INET : Family.of(via);
            dst = IpPrefix.parse(cmd + " destination", f == Family.INET ? "0.0.0.0/0" : "::/0");
        } else {
            dst = IpPrefix.parse(cmd + " destination", dest);
        }
        if (via == null && dev == null && !cmd.endsWith("del")) {
            throw new InvalidInputException(cmd + " destination", dest, "needs `via GATEWAY` or `dev NAME`");
        }
        if (via != null && Family.of(via) != dst.family()) {
            throw new InvalidInputException(cmd + " via", IpAddresses.format(via), "is not of the destination's address family");
        }
        return new Route(dst, via, dev, src, metric, table == null || table == 254 ? null : table, scope);
    }

    static Scope scope(String cmd, String v) {
        switch (v) {
            case "link": return Scope.LINK;
            case "host": return Scope.HOST;
            case "global": case "universe": return Scope.UNIVERSE;
            case "site": return Scope.SITE;
            default: throw new InvalidInputException(cmd + " scope", v, "must be link, host, site or global");
        }
    }

    /** {@code USAGE}, shared by add, replace and del. */
    abstract static class Edit extends IpCommand.Apply<RouteOps, Route> {
        @Parameters(arity = "1..*", paramLabel = "ARGS", description = USAGE)
        List<String> args;

        Edit(BiConsumer<RouteOps, Route> op) {
            super(NetnsHandle::routes, RouteCommand::parse, op);
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = {"Add a route.", "patchbay route add " + USAGE})
    static final class Add extends Edit {
        Add() {
            super(RouteOps::add);
        }
    }

    @Command(name = "replace", mixinStandardHelpOptions = true, description = {"Add a route, or change the one to the same destination.", "patchbay route replace " + USAGE})
    static final class Replace extends Edit {
        Replace() {
            super(RouteOps::replace);
        }
    }

    @Command(name = "del", aliases = "delete", mixinStandardHelpOptions = true, description = {"Delete a route.", "patchbay route del " + USAGE})
    static final class Del extends Edit {
        Del() {
            super(RouteOps::delete);
        }
    }

    @Command(name = "show", aliases = {"list", "ls"}, mixinStandardHelpOptions = true, description = {"List the routes of the main table, or of another.", "patchbay route show [table T]"})
    static final class Show extends IpCommand.Show<RouteCommand, Integer> {
        @Parameters(arity = "0..2", paramLabel = "ARGS", description = "table T: list table T (a number, main or local) instead of main.")
        List<String> args;

        @Override
        Integer parse(Cli.Words w) {
            if (!w.more()) {
                return null;
            }
            String k = w.next();
            if (!k.equals("table")) {
                throw w.unknown(k);
            }
            return Cli.table(w.command(), w.value(k));
        }
    }
}
