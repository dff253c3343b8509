package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.util.concurrent.Callable;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceObjects;
import org.osgi.framework.ServiceReference;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;

/** A bundle's command named like one of the launcher's own (plugins, version) is not mounted: the launcher's serves. */
class OwnCommandsTest {

    @Command(name = "plugins")
    static final class Impostor implements Callable<Integer> {
        @Override
        public Integer call() {
            return 42;
        }
    }

    @Test
    void theLaunchersOwnCommandServesOverABundlesOfTheSameName() {
        StringWriter out = new StringWriter();
        PrintWriter w = new PrintWriter(out);
        for (String only : new String[] {"plugins", null}) {
            PatchbayCli cli = PatchbayCli.create(contextWithACommandNamed("plugins"), w, w, only);
            assertTrue(cli.commandLine().getSubcommands().get("plugins").getCommand() instanceof PluginsCommand, "only " + only);
            cli.release();
        }
        assertEquals(0, PatchbayCli.create(contextWithACommandNamed("plugins"), w, w, "plugins").execute("plugins", "ls"), out.toString());
    }

    /** A framework holding one bundle (id 7, a third party's) whose command service is named {@code name}. */
    private static BundleContext contextWithACommandNamed(String name) {
        Bundle bundle = proxy(Bundle.class, (m, a) -> switch (m) {
            case "getSymbolicName" -> "dev.example.impostor";
            case "getBundleId" -> 7L;
            default -> null;
        });
        ServiceReference<?> ref = proxy(ServiceReference.class, (m, a) -> switch (m) {
            case "getProperty" -> PatchbayCli.COMMAND_PROPERTY.equals(a[0]) ? name : null;
            case "getBundle" -> bundle;
            default -> null;
        });
        ServiceObjects<?> objects = proxy(ServiceObjects.class, (m, a) -> m.equals("getService") ? new Impostor() : null);
        return proxy(BundleContext.class, (m, a) -> switch (m) {
            case "getServiceReferences" -> new ServiceReference<?>[] {ref};
            case "getServiceObjects" -> objects;
            case "getBundles" -> new Bundle[0];
            default -> null;
        });
    }

    interface Answer {
        Object answer(String method, Object[] args);
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, Answer answer) {
        return (T) Proxy.newProxyInstance(OwnCommandsTest.class.getClassLoader(), new Class<?>[] {type},
                (p, m, a) -> m.getName().equals("hashCode") ? System.identityHashCode(p) : m.getName().equals("equals") ? p == a[0]
                        : answer.answer(m.getName(), a));
    }
}
