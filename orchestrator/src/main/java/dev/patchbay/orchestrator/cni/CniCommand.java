package dev.patchbay.orchestrator.cni;

import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import java.io.PrintWriter;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.ToIntFunction;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code patchbay cni}: a CNI plugin call, as the launcher hands it over (the runtime ran {@code cni/<type>}, whose
 * shim forwarded it to the daemon or exec'd the launcher; see the launcher's {@code CniRequest}). Hidden: a user
 * does not type it. The call is a map: {@code type} (the name the runtime ran), {@code env}, {@code stdin}. The launcher
 * hands it over directly, with {@code out} and {@code err} added ({@link #applyAsInt}: no command line to build or
 * parse, the cold path's 40 ms); a command line gets it through the launcher's hidden option.
 */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("cni")
@Command(name = "cni", hidden = true, mixinStandardHelpOptions = true,
        description = "Serve one CNI plugin call (run by cni/<type>, the CNI entry point; not for typing).")
public final class CniCommand implements PatchbayCommand, ToIntFunction<Map<String, Object>> {
    static final String OPTION = "--cni-request";

    @Reference
    CniService service;

    @Spec
    CommandSpec spec;

    @Override
    @SuppressWarnings("unchecked")
    public Integer call() {
        OptionSpec option = spec.root().findOption(OPTION);
        Map<String, Object> cni = option == null ? null : (Map<String, Object>) option.getValue();
        if (cni == null) {
            throw new ParameterException(spec.commandLine(), "patchbay cni serves CNI plugin calls: a runtime runs cni/<type> "
                    + "from the distribution (put it on CNI_PATH), with CNI_COMMAND and the other CNI_* variables set");
        }
        return service.serve((String) cni.get("type"), (Map<String, String>) cni.get("env"), (byte[]) cni.get("stdin"),
                spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /**
     * The call handed over directly: type, env, stdin, out and err, and optionally {@code gone} (a
     * {@code BooleanSupplier}: whether the caller went away, e.g. the daemon's client closed its connection).
     */
    @Override
    @SuppressWarnings("unchecked")
    public int applyAsInt(Map<String, Object> cni) {
        Object gone = cni.get("gone");
        return service.serve((String) cni.get("type"), (Map<String, String>) cni.get("env"), (byte[]) cni.get("stdin"),
                (PrintWriter) cni.get("out"), (PrintWriter) cni.get("err"), gone instanceof BooleanSupplier g ? g : () -> false);
    }
}
