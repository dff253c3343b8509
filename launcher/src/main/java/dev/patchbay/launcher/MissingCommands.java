package dev.patchbay.launcher;

import java.io.PrintWriter;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Collection;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * When a command name is not mounted, asks Declarative Services (the same data {@code scr:info}
 * prints) whether a component declares it but waits for a service no bundle provides, and says
 * which. Reflective, so the launcher needs the DS runtime API neither at compile time nor on its
 * class path.
 */
final class MissingCommands {
    private static final String SCR = "org.osgi.service.component.runtime.ServiceComponentRuntime";

    private MissingCommands() {
    }

    static void explain(BundleContext ctx, String[] args, PrintWriter err) {
        String name = Args.commandWord(args);
        if (name != null) {
            explain(ctx, dto -> name.equals(String.valueOf(((Map<?, ?>) field(dto, "properties")).get(PatchbayCli.COMMAND_PROPERTY))),
                    "command '" + name + "'", err);
        }
    }

    /** Why no started bundle provides the service {@code iface} (e.g. the CNI handler): as for a command. */
    static void explainService(BundleContext ctx, String iface, String what, PrintWriter err) {
        explain(ctx, dto -> field(dto, "serviceInterfaces") instanceof String[] names && java.util.Arrays.asList(names).contains(iface),
                what, err);
    }

    /** Which component description a walk is about. */
    private interface Match {
        boolean test(Object description) throws ReflectiveOperationException;
    }

    private static void explain(BundleContext ctx, Match match, String what, PrintWriter err) {
        try {
            ServiceReference<?> ref = ctx.getServiceReference(SCR);
            if (ref == null) {
                err.println("patchbay: the Declarative Services runtime (org.apache.felix.scr) is not running: no bundle can contribute commands");
                return;
            }
            Object scr = ctx.getService(ref);
            Method descriptions = scr.getClass().getMethod("getComponentDescriptionDTOs", org.osgi.framework.Bundle[].class);
            descriptions.setAccessible(true);
            Collection<?> dtos = (Collection<?>) descriptions.invoke(scr, (Object) new org.osgi.framework.Bundle[0]);
            for (Object dto : dtos) {
                if (field(dto, "properties") == null || !match.test(dto)) {
                    continue;
                }
                Object bundle = field(dto, "bundle");
                String bsn = String.valueOf(field(bundle, "symbolicName"));
                Method configs = scr.getClass().getMethod("getComponentConfigurationDTOs", dto.getClass());
                configs.setAccessible(true);
                for (Object cfg : (Collection<?>) configs.invoke(scr, dto)) {
                    Object unsatisfied = field(cfg, "unsatisfiedReferences");
                    for (int i = 0; unsatisfied != null && i < Array.getLength(unsatisfied); i++) {
                        Object u = Array.get(unsatisfied, i);
                        String refName = String.valueOf(field(u, "name"));
                        err.println("patchbay: " + what + " of bundle " + bsn + " is not available: it needs the service "
                                + interfaceOf(dto, refName) + " (reference '" + refName + "'), which no started bundle provides");
                    }
                }
                if (Boolean.FALSE.equals(field(dto, "defaultEnabled"))) {
                    err.println("patchbay: " + what + " of bundle " + bsn + " is disabled");
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // diagnostics only: the usage error has been reported already
        }
    }

    private static String interfaceOf(Object description, String refName) throws ReflectiveOperationException {
        Object refs = field(description, "references");
        for (int i = 0; refs != null && i < Array.getLength(refs); i++) {
            Object r = Array.get(refs, i);
            if (refName.equals(field(r, "name"))) {
                Object target = field(r, "target");
                return field(r, "interfaceName") + (target == null ? "" : " " + target);
            }
        }
        return "?";
    }

    private static Object field(Object o, String name) throws ReflectiveOperationException {
        Field f = o.getClass().getField(name);
        return f.get(o);
    }
}
