package dev.patchbay.firewall.host;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import dev.patchbay.host.output.TextTable;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code patchbay firewall backend [NAME] | show}. */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("firewall")
@Command(name = "firewall", mixinStandardHelpOptions = true,
        description = "Show or change the firewall backend of the host namespace, and the rules Patchbay keeps there.",
        subcommands = {FirewallCommand.Backend.class, FirewallCommand.Show.class})
public final class FirewallCommand implements PatchbayCommand {

    @Reference
    FirewallManager manager;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "a subcommand is required: backend or show");
    }

    /** Output of {@code firewall backend} without a name. */
    record Backends(String current, List<FirewallHost.BackendInfo> backends) {
    }

    @Command(name = "backend", mixinStandardHelpOptions = true,
            description = "Without NAME: the current backend and every installed one, with whether it is usable here. "
                    + "With NAME: swap to it live (rules re-applied on NAME, then removed from the old one).")
    static final class Backend implements Callable<Integer> {
        @ParentCommand FirewallCommand parent;
        @Spec CommandSpec spec;
        @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "nftables, iptables or none.") String name;
        @Option(names = "--dry-run", description = "Print the swap as the commands that make it (the new backend's rules, then the"
                + " old one's removed), a script sh runs; change nothing.") boolean dryRun;

        @Override
        public Integer call() {
            CliContext cli = CliContext.of(spec);
            FirewallHost host = parent.manager.host(cli.stateDir(), cli.netns());
            if (name == null) {
                List<FirewallHost.BackendInfo> all = host.backends();
                String current = all.stream().filter(FirewallHost.BackendInfo::current).map(FirewallHost.BackendInfo::name).findFirst().orElse(null);
                cli.print(new Backends(current, all), () -> {
                    TextTable t = new TextTable("BACKEND", "RANKING", "USABLE", "CURRENT");
                    all.forEach(b -> t.row(b.name(), b.ranking(), b.usable() ? "yes" : "no", b.current() ? "*" : ""));
                    return t.toString();
                });
                return 0;
            }
            if (dryRun) {
                return SwapRehearsal.print(cli, parent.manager, name);
            }
            FirewallHost.Swap swap = host.select(name, dryRun);
            swap.notices().forEach(n -> cli.err().println("notice: " + n));
            cli.err().flush();
            cli.print(swap, () -> {
                if (!swap.changed()) {
                    return "firewall backend is already " + swap.to();
                }
                String verb = dryRun ? "would swap" : "swapped";
                return verb + " firewall backend " + (swap.from() == null ? "(none recorded)" : swap.from()) + " -> " + swap.to()
                        + "; owners re-applied: " + (swap.owners().isEmpty() ? "none" : String.join(", ", swap.owners()));
            });
            return 0;
        }
    }

    /** One owner as {@code firewall show} prints it. */
    record OwnerRules(String owner, List<String> rules) {
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "List the owners and their rules in the host namespace.")
    static final class Show implements Callable<Integer> {
        @ParentCommand FirewallCommand parent;
        @Spec CommandSpec spec;
        @Option(names = "--render", description = "Also print the exact text the current backend would apply.") boolean render;

        @Override
        public Integer call() {
            CliContext cli = CliContext.of(spec);
            FirewallHost host = parent.manager.host(cli.stateDir(), cli.netns());
            Map<RulesetOwner, Ruleset> all = host.rulesets();
            List<OwnerRules> out = new ArrayList<>();
            all.forEach((o, rs) -> out.add(new OwnerRules(o.id(), rs.rules().stream().map(RuleText::of).toList())));
            cli.print(out, () -> {
                StringBuilder sb = new StringBuilder("backend: " + host.backend() + "\n");
                for (OwnerRules o : out) {
                    sb.append(o.owner()).append('\n');
                    o.rules().forEach(r -> sb.append("  ").append(r).append('\n'));
                    if (render) {
                        sb.append(host.plan(all.get(RulesetOwner.of(o.owner()))).indent(4));
                    }
                }
                return sb.toString();
            });
            return 0;
        }
    }
}
