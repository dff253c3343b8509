package dev.patchbay.orchestrator;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import dev.patchbay.core.command.TextTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ServiceScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code patchbay bundles}: the bundles loaded, their state, and the commands each contributes. */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("bundles")
@Command(name = "bundles", mixinStandardHelpOptions = true,
        description = "List the loaded bundles, their state and the commands they contribute.")
public final class BundlesCommand implements PatchbayCommand {

    private final BundleContext context;

    @Spec
    CommandSpec spec;

    @Activate
    public BundlesCommand(BundleContext context) {
        this.context = context;
    }

    /** One loaded bundle, as printed. */
    public record BundleInfo(long id, String symbolicName, String version, String state, List<String> commands) {
    }

    @Override
    public Integer call() throws Exception {
        CliContext cli = CliContext.of(spec);
        Map<Long, List<String>> commandsByBundle = new TreeMap<>();
        ServiceReference<?>[] refs = context.getAllServiceReferences(null, "(" + PatchbayCommandName.PROPERTY + "=*)");
        for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
            commandsByBundle.computeIfAbsent(ref.getBundle().getBundleId(), k -> new ArrayList<>())
                    .add(String.valueOf(ref.getProperty(PatchbayCommandName.PROPERTY)));
        }
        List<BundleInfo> bundles = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            List<String> cmds = new ArrayList<>(commandsByBundle.getOrDefault(b.getBundleId(), List.of()));
            cmds.sort(null);
            bundles.add(new BundleInfo(b.getBundleId(), b.getSymbolicName(), b.getVersion().toString(), state(b), cmds));
        }
        cli.print(bundles, () -> {
            TextTable t = new TextTable("ID", "STATE", "BUNDLE", "VERSION", "COMMANDS");
            bundles.forEach(b -> t.row(b.id(), b.state(), b.symbolicName(), b.version(), String.join(",", b.commands())));
            return t.toString();
        });
        return 0;
    }

    private static String state(Bundle b) {
        return Arrays.asList("UNINSTALLED", "INSTALLED", "RESOLVED", "STARTING", "STOPPING", "ACTIVE")
                .get(Integer.numberOfTrailingZeros(b.getState()));
    }
}
