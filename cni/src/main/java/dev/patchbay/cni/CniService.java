package dev.patchbay.cni;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.firewall.host.FirewallManager;
import dev.patchbay.host.cni.CniHandler;
import dev.patchbay.host.cni.CniInvocation;
import dev.patchbay.orchestrator.network.NetworkManager;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Serves CNI plugin calls, the host API's {@link CniHandler} (the launcher hands each call over): picks the plugin of
 * the call's type, checks the version and environment, runs the verb and prints the result alone on stdout, or the error result ({@code {"cniVersion","code","msg","details"}}) with a
 * non-zero exit; diagnostics go to stderr, and with {@code PATCHBAY_CNI_LOG} set, a line per call to that file
 * ({@link CniLog}). A type is served by the installed network plugin of that type when it maps the configuration: a
 * chained one ({@code NetworkPlugin.cniChange}: portmap, firewall, tuning) through {@link CniChained}, a driver's
 * ({@code cniOptions}: bridge, and patchbay its alias) through {@link CniDriver}; {@code bandwidth} is the cni module's own
 * ({@link BandwidthPlugin}). A type Patchbay does not serve, or a configuration it does not serve as that type, goes to the next
 * plugin of the type on CNI_PATH ({@link FallThrough}). Keeps a handle on the host namespace (the caller's) open.
 */
@Component(service = CniHandler.class)
public final class CniService implements CniHandler {
    private static final List<String> VERBS = List.of("ADD", "DEL", "CHECK", "GC", "STATUS");
    /** The shim run under its own name ({@code cni/patchbay}) serves the driver of this type. */
    private static final String OWN_NAME_SERVES = "bridge";

    @Reference
    NetworkManager manager;

    @Reference
    FirewallManager firewall;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile Ipam ipam;

    private NetnsHandle host;

    /**
     * Serves one call while its caller is there: {@code callerGone} turns true once nobody waits for the answer (the
     * daemon's client closed its connection); a plugin the call runs ({@link FallThrough}) is killed then.
     */
    @Override
    public int serve(CniInvocation invocation, PrintWriter out, PrintWriter err, BooleanSupplier callerGone) {
        String ranType = invocation.name();
        Map<String, String> env = invocation.env();
        byte[] stdin = invocation.stdin();
        long t0 = System.nanoTime();
        List<String> notes = new ArrayList<>();
        CniCall call = null;
        int exit;
        CniError failure = null;
        try {
            call = CniCall.of(ranType, env, stdin);
            exit = dispatch(call, notes, out, err, callerGone);
        } catch (RuntimeException | Error e) {
            failure = CniError.of(e);
            out.print(Results.error(CniCall.versionForErrors(stdin), failure));
            exit = CniError.exitCode(failure.code());
        }
        out.flush();
        String what = "patchbay cni " + env.getOrDefault("CNI_COMMAND", "?") + " " + (call == null ? ranType : call.type());
        for (String n : notes) {
            err.println(what + ": " + n);
        }
        if (failure != null) {
            err.println(what + ": error " + failure.code() + ": " + failure.getMessage() + (failure.details().isEmpty() ? "" : " (" + failure.details() + ")"));
        }
        err.flush();
        CniLog.append(env, call, ranType, exit, failure, notes, (System.nanoTime() - t0) / 1e6);
        return exit;
    }

    private int dispatch(CniCall call, List<String> notes, PrintWriter out, PrintWriter err, BooleanSupplier callerGone) {
        String verb = call.verb();
        if (verb.equals("VERSION")) {
            out.print(Results.version(call.version() == null ? "1.0.0" : call.version()));
            return 0;
        }
        if (!VERBS.contains(verb)) {
            throw new CniError(CniError.INVALID_ENV, verb.isEmpty() ? "required env variables [CNI_COMMAND] missing"
                    : "unknown CNI_COMMAND: " + CniCall.abbreviate(verb), "CNI_COMMAND is one of ADD, DEL, CHECK, GC, STATUS, VERSION");
        }
        CniPlugin plugin = null;
        if (manager != null) { // a type an installed plugin serves (NetworkPlugin.cniChange, cniOptions)
            String type = call.type().equals("patchbay") ? OWN_NAME_SERVES : call.type();
            plugin = type.equals(BandwidthPlugin.TYPE) ? new BandwidthPlugin() // its chain's plugin (BandwidthChain) serves no CNI type
                    : manager.installed(type).map(p -> (CniPlugin) new CniChained(type, p)).orElse(null);
        }
        if (plugin == null) {
            return fallThrough(call, new Unserved("type", "type \"" + call.type() + "\" is not one Patchbay serves"), notes, out, err, callerGone);
        }
        String version = Versions.check(call.version());
        switch (verb) {
            case "CHECK" -> Versions.requireFor(verb, version, "0.4.0");
            case "GC", "STATUS" -> Versions.requireFor(verb, version, "1.1.0");
            default -> { }
        }
        CniContext ctx = new CniContext(manager, firewall, ipam, stateDir(call), this::host, notes);
        try {
            out.print(plugin.call(call, ctx));
            return 0;
        } catch (Unserved u) {
            return fallThrough(call, u, notes, out, err, callerGone);
        }
    }

    private static int fallThrough(CniCall call, Unserved why, List<String> notes, PrintWriter out, PrintWriter err, BooleanSupplier callerGone) {
        Optional<java.nio.file.Path> next = FallThrough.next(call);
        if (next.isPresent()) {
            notes.add(why.getMessage() + " (" + why.field() + "): running " + next.get());
            out.flush();
            return FallThrough.run(next.get(), call, out, err, callerGone);
        }
        if (call.verb().equals("DEL")) { // an ADD of it failed the same way: nothing was made
            notes.add(why.getMessage() + " (" + why.field() + "), and no other " + call.type() + " plugin on CNI_PATH: nothing to delete");
            return 0;
        }
        throw new CniError(CniError.UNSUPPORTED_FIELD, why.field() + ": " + why.getMessage() + ", and no other " + call.type()
                + " plugin on CNI_PATH", "CNI_PATH=" + String.join(":", call.path()));
    }

    /** PATCHBAY_STATE_DIR of the call, else the configuration file's state-dir, else the default (never the daemon's own environment). */
    private static Path stateDir(CniCall call) {
        String dir = call.env(CliContext.STATE_DIR_ENV);
        if (dir == null) {
            dir = dev.patchbay.state.HostSetting.get(dev.patchbay.state.HostSetting.CNI_STATE_DIR);
        }
        return dir == null ? CliContext.DEFAULT_STATE_DIR : Path.of(dir);
    }

    private synchronized NetnsHandle host() {
        if (host == null) {
            host = manager.stack().open(NetnsRef.current());
        }
        return host;
    }

    @Deactivate
    synchronized void deactivate() {
        if (host != null) {
            host.close();
            host = null;
        }
    }
}
