package dev.patchbay.launcher;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * Why an active bundle's components do not work, for {@code plugins ls}, from SCR's runtime service (the data
 * {@code scr:info} prints): disabled, waiting for a configuration, a reference no service meets, a failed activation.
 * Reflective, like {@link MissingCommands}: the DS runtime API lives in the SCR bundle, not on the launcher's class path;
 * its DTOs are public fields, its methods are read through the service interface.
 */
final class ScrComponents implements AutoCloseable {
    static final String SCR = "org.osgi.service.component.runtime.ServiceComponentRuntime";
    // ComponentConfigurationDTO's states
    private static final int UNSATISFIED_CONFIGURATION = 1;
    private static final int UNSATISFIED_REFERENCE = 2;
    private static final int FAILED_ACTIVATION = 16;

    private final BundleContext ctx;
    private final ServiceReference<?> ref;
    private final Object scr;
    private final Method descriptions;
    private final Method enabled;
    private final Method configurations;
    private final Function<Map<?, ?>, String> kindOf;

    private ScrComponents(BundleContext ctx, ServiceReference<?> ref, Object scr, Class<?> api, Function<Map<?, ?>, String> kindOf)
            throws ReflectiveOperationException {
        this.ctx = ctx;
        this.ref = ref;
        this.scr = scr;
        this.descriptions = api.getMethod("getComponentDescriptionDTOs", Bundle[].class);
        this.enabled = method(api, "isComponentEnabled");
        this.configurations = method(api, "getComponentConfigurationDTOs");
        this.kindOf = kindOf;
    }

    /** The one-argument method {@code name} of the interface (its parameter is a DTO class of SCR's). */
    private static Method method(Class<?> api, String name) throws NoSuchMethodException {
        for (Method m : api.getMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == 1) {
                return m;
            }
        }
        throw new NoSuchMethodException(api.getName() + "." + name);
    }

    /**
     * SCR's runtime service, to close after use; null when SCR is not running (then no component is explained). {@code kindOf} names a
     * component by its service properties ({@code network-plugin "macvlan"}), or null for none of the kinds.
     */
    static ScrComponents of(BundleContext ctx, Function<Map<?, ?>, String> kindOf) {
        ServiceReference<?> ref = ctx.getServiceReference(SCR);
        Object scr = ref == null ? null : ctx.getService(ref);
        if (scr == null) {
            return null;
        }
        try {
            for (Class<?> c = scr.getClass(); c != null; c = c.getSuperclass()) {
                for (Class<?> i : c.getInterfaces()) {
                    if (i.getName().equals(SCR)) {
                        return new ScrComponents(ctx, ref, scr, i, kindOf);
                    }
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // another SCR API than the one this reads: components go unexplained
        }
        ctx.ungetService(ref);
        return null;
    }

    /** Gives SCR's service back. */
    @Override
    public void close() {
        try {
            ctx.ungetService(ref);
        } catch (RuntimeException ignored) {
            // the framework may be stopping
        }
    }

    /** The problems of the components of {@code b}, one sentence each. */
    List<String> problems(Bundle b) {
        List<String> problems = new ArrayList<>();
        try {
            for (Object d : (Collection<?>) descriptions.invoke(scr, (Object) new Bundle[] {b})) {
                String who = who(d);
                String[] pids = (String[]) field(d, "configurationPid");
                String waits = who + " waits for its configuration (" + String.join(", ", pids == null ? new String[0] : pids) + ")";
                if (!(Boolean) enabled.invoke(scr, d)) {
                    if (Boolean.TRUE.equals(field(d, "defaultEnabled"))) {
                        problems.add(who + " is disabled");
                    }
                    continue;
                }
                Collection<?> configs = (Collection<?>) configurations.invoke(scr, d);
                if (configs.isEmpty() && "require".equals(field(d, "configurationPolicy"))) {
                    problems.add(waits);
                }
                for (Object c : configs) {
                    int state = (Integer) field(c, "state");
                    if (state == UNSATISFIED_REFERENCE) {
                        Object unsatisfied = field(c, "unsatisfiedReferences");
                        for (int i = 0; unsatisfied != null && i < Array.getLength(unsatisfied); i++) {
                            problems.add(who + " needs " + needed(d, Array.get(unsatisfied, i)));
                        }
                    } else if (state == UNSATISFIED_CONFIGURATION) {
                        problems.add(waits);
                    } else if (state == FAILED_ACTIVATION) {
                        String failure = field(c, "failure") instanceof String f ? f.strip() : "";
                        int nl = failure.indexOf('\n');
                        problems.add(who + " failed to activate" + (failure.isEmpty() ? "" : ": " + (nl < 0 ? failure : failure.substring(0, nl).strip())));
                    }
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            problems.add("its components could not be read from SCR: " + e);
        }
        return problems;
    }

    /** {@code network-plugin "macvlan" (component x.y.Z)}, or {@code component x.y.Z} for one that is none of the kinds. */
    private String who(Object d) throws ReflectiveOperationException {
        String kind = field(d, "properties") instanceof Map<?, ?> props ? kindOf.apply(props) : null;
        return (kind == null ? "" : kind + " (") + "component " + field(d, "name") + (kind == null ? "" : ")");
    }

    /** What an unsatisfied reference waits for: the service interface, its target filter, how many it has. */
    private static String needed(Object d, Object u) throws ReflectiveOperationException {
        String name = String.valueOf(field(u, "name"));
        String iface = name;
        Object refs = field(d, "references");
        for (int i = 0; refs != null && i < Array.getLength(refs); i++) {
            Object r = Array.get(refs, i);
            if (name.equals(field(r, "name"))) {
                iface = String.valueOf(field(r, "interfaceName"));
            }
        }
        String target = (String) field(u, "target");
        boolean targeted = target != null && !target.isEmpty();
        Object services = field(u, "targetServices");
        int found = services == null ? 0 : Array.getLength(services);
        return "a service " + iface + (targeted ? " matching " + target : "") + " (reference \"" + name + "\"), "
                + (found == 0 ? "which no bundle provides" : "of which only " + found + " " + (found == 1 ? "is" : "are") + " registered");
    }

    private static Object field(Object o, String name) throws ReflectiveOperationException {
        return o.getClass().getField(name).get(o);
    }
}
