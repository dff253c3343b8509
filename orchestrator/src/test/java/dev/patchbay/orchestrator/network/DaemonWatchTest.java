package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;

/**
 * {@link DaemonWatch} outside the daemon (a one-shot CLI run): it reads its switch and nothing else, opens no
 * namespace, starts no thread, and stops cleanly.
 */
class DaemonWatchTest {

    @Test
    void outsideTheDaemonItTouchesNothing() {
        List<String> asked = new ArrayList<>();
        BundleContext ctx = (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> {
                    asked.add(method.getName() + (args == null ? "" : " " + args[0]));
                    return null;
                });
        NetworkManager m = new NetworkManager();
        m.stack = (dev.patchbay.core.spi.NetworkStack) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {dev.patchbay.core.spi.NetworkStack.class}, (proxy, method, args) -> {
                    throw new AssertionError("the stack was asked " + method.getName());
                });
        long threads = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("patchbay-reconcile")).count();
        DaemonWatch w = new DaemonWatch(ctx, m);
        assertEquals(List.of("getProperty patchbay.daemon"), asked);
        assertEquals(threads, Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("patchbay-reconcile")).count(),
                "no reconcile thread");
        w.stop();
    }
}
