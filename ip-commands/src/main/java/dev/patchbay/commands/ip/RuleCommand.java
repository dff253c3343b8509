package dev.patchbay.commands.ip;

import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.PolicyRule;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.RuleOps;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ServiceScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code patchbay rule ...}: routing policy rules the {@code ip rule} way. */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("rule")
@Command(name = "rule", mixinStandardHelpOptions = true, description = "Add, delete and list routing policy rules (like `ip rule`).",
        subcommands = {RuleCommand.Add.class, RuleCommand.Del.class, RuleCommand.Show.class})
public final class RuleCommand extends IpCommand<RuleCommand.RuleView, Void> {
    static final String USAGE = "[from PREFIX|all] [to PREFIX] [iif NAME] [table T] [prio N]";

    /** A rule as printed (keys follow {@code ip -j rule}). */
    record RuleView(Integer priority, String family, String src, String dst, String iif, String table) {
        static RuleView of(PolicyRule r) {
            return new RuleView(r.priority(), r.family() == Family.INET ? "inet" : "inet6", r.from() == null ? "all" : r.from().toString(),
                    r.to() == null ? null : r.to().toString(), r.iif() == null ? null : r.iif().value(), Cli.tableName(r.table()));
        }
    }

    @Override
    List<RuleView> list(NetnsHandle h, Void all) {
        List<RuleView> views = new ArrayList<>();
        h.rules().list(null).forEach(r -> views.add(RuleView.of(r)));
        return views;
    }

    @Override
    String text(List<RuleView> views) {
        StringBuilder sb = new StringBuilder();
        views.forEach(v -> sb.append(v.priority() == null ? "" : v.priority() + ":\t").append("from ").append(v.src())
                .append(v.dst() == null ? "" : " to " + v.dst()).append(v.iif() == null ? "" : " iif " + v.iif())
                .append(" lookup ").append(v.table()).append('\n'));
        return sb.toString();
    }

    static PolicyRule parse(Cli.Words w) {
        String cmd = w.command();
        IpPrefix from = null;
        IpPrefix to = null;
        IfName iif = null;
        int table = 254;
        Integer prio = null;
        while (w.more()) {
            String k = w.next();
            switch (k) {
                case "from": {
                    String v = w.value(k);
                    from = v.equals("all") ? null : IpPrefix.parse(cmd + " from", v);
                    break;
                }
                case "to": {
                    String v = w.value(k);
                    to = v.equals("all") ? null : IpPrefix.parse(cmd + " to", v);
                    break;
                }
                case "iif": case "dev": iif = IfName.of(w.value(k)); break;
                case "table": case "lookup": table = Cli.table(cmd, w.value(k)); break;
                case "prio": case "priority": case "pref": case "preference": prio = w.intValue(k); break;
                default: throw w.unknown(k);
            }
        }
        Family family = to != null ? to.family() : from != null ? from.family() : Family.INET;
        if (from != null && to != null && from.family() != to.family()) {
            throw new dev.patchbay.core.errors.InvalidInputException(cmd + " to", to, "is not of the family of from " + from);
        }
        return new PolicyRule(family, prio, from, to, iif, table);
    }

    /** {@code USAGE}, shared by add and del. */
    abstract static class Edit extends IpCommand.Apply<RuleOps, PolicyRule> {
        @Parameters(arity = "0..*", paramLabel = "ARGS", description = "The rule's selectors, table and priority, as after `ip rule add` (above).")
        List<String> args;

        Edit(BiConsumer<RuleOps, PolicyRule> op) {
            super(NetnsHandle::rules, RuleCommand::parse, op);
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = {"Add a routing policy rule.", "patchbay rule add " + USAGE})
    static final class Add extends Edit {
        Add() {
            super(RuleOps::add);
        }
    }

    @Command(name = "del", aliases = "delete", mixinStandardHelpOptions = true, description = {"Delete a routing policy rule.", "patchbay rule del " + USAGE})
    static final class Del extends Edit {
        Del() {
            super(RuleOps::delete);
        }
    }

    @Command(name = "show", aliases = {"list", "ls"}, mixinStandardHelpOptions = true, description = {"List the routing policy rules.", "patchbay rule show"})
    static final class Show extends IpCommand.Show<RuleCommand, Void> {
    }
}
