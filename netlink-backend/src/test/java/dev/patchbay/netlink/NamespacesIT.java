package dev.patchbay.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Named namespaces shared with {@code ip netns}, adoption by pid and path, per-namespace sysctls, thread hygiene. */
@NetnsTest
class NamespacesIT {
    final NetlinkNetworkStack stack = new NetlinkNetworkStack();

    @Test
    void interoperatesWithIpNetns(Sandbox sandbox) {
        String mine = sandbox.name("mine");
        String theirs = sandbox.netns("theirs");
        stack.namespaces().create(mine);
        assertTrue(stack.namespaces().list().containsAll(List.of(mine, theirs)));
        assertThrows(AlreadyExistsException.class, () -> stack.namespaces().create(mine));
        sandbox.run("ip", "-n", mine, "link", "add", "x0", "type", "bridge");
        try (NetnsHandle h = stack.open(NetnsRef.named(mine))) {
            assertTrue(h.links().find(LinkRef.name("x0")).isPresent());
        }
        assertNotEquals(stack.identity(NetnsRef.named(mine)).toString(), stack.identity(NetnsRef.named(theirs)).toString());
        assertNotEquals(stack.identity(NetnsRef.current()).toString(), stack.identity(NetnsRef.named(mine)).toString());
        stack.namespaces().delete(mine);
        assertFalse(sandbox.run("ip", "netns", "list").contains(mine));
        assertThrows(NotFoundException.class, () -> stack.namespaces().delete(mine));
        stack.namespaces().delete(theirs); // made by ip, removed by us
        assertFalse(sandbox.run("ip", "netns", "list").contains(theirs));
    }

    @Test
    void adoptsByPidAndPath(Sandbox sandbox) throws Exception {
        String ns = sandbox.netns("ctr");
        sandbox.run("ip", "-n", ns, "link", "add", "ctr0", "type", "bridge");
        Process sleeper = new ProcessBuilder("ip", "netns", "exec", ns, "sleep", "30").start();
        try {
            long pid = waitForChild(sleeper.pid(), "sleep");
            NetnsRef byPid = NetnsRef.pid(pid);
            assertEquals(stack.identity(NetnsRef.named(ns)).toString(), stack.identity(byPid).toString());
            try (NetnsHandle h = stack.open(byPid)) {
                assertTrue(h.links().find(LinkRef.name("ctr0")).isPresent());
            }
            try (NetnsHandle h = stack.open(NetnsRef.path(Path.of("/proc/" + pid + "/ns/net")))) {
                assertTrue(h.links().find(LinkRef.name("ctr0")).isPresent());
            }
            String alias = sandbox.name("alias");
            stack.namespaces().attach(alias, byPid);
            assertTrue(sandbox.run("ip", "-n", alias, "link", "show", "ctr0").contains("ctr0"));
            stack.namespaces().delete(alias);
        } finally {
            sleeper.destroy();
            sleeper.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static long waitForChild(long parent, String name) throws Exception {
        for (int i = 0; i < 100; i++) {
            try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
                var found = all.filter(p -> p.pid() == parent || p.parent().map(pp -> pp.pid() == parent).orElse(false))
                        .filter(p -> p.info().command().map(c -> c.endsWith("/" + name)).orElse(false)).findFirst();
                if (found.isPresent()) {
                    return found.get().pid();
                }
            }
            Thread.sleep(50);
        }
        return parent; // ip netns exec execs in place
    }

    @Test
    void sysctlsArePerNamespace(Sandbox sandbox) {
        String ns = sandbox.netns("sys");
        try (NetnsHandle h = stack.open(NetnsRef.named(ns)); NetnsHandle host = stack.open(NetnsRef.current())) {
            String hostBefore = host.sysctl().get("net.ipv4.ip_forward").orElseThrow();
            assertEquals("0", h.sysctl().ensure("net.ipv4.ip_forward", "1"));
            assertEquals("1", h.sysctl().get("net.ipv4.ip_forward").orElseThrow());
            assertEquals("1", sandbox.execIn(ns, "cat", "/proc/sys/net/ipv4/ip_forward").output().trim());
            assertEquals(hostBefore, host.sysctl().get("net.ipv4.ip_forward").orElseThrow(), "the host is untouched");
            h.sysctl().set("net/ipv4/conf/all/route_localnet", "1");
            assertEquals("1", sandbox.execIn(ns, "cat", "/proc/sys/net/ipv4/conf/all/route_localnet").output().trim());
            assertTrue(h.sysctl().get("net.ipv4.no_such_key").isEmpty());
            assertThrows(dev.patchbay.core.errors.InvalidInputException.class, () -> h.sysctl().get("kernel.hostname"));
            assertThrows(dev.patchbay.core.errors.InvalidInputException.class, () -> h.sysctl().get("net.ipv4/../../kernel"));
        }
    }

    @Test
    void noThreadIsLeftInAForeignNamespace(Sandbox sandbox) throws Exception {
        String a = sandbox.netns("ta");
        String b = sandbox.netns("tb");
        Map<String, String> before = threadNamespaces();
        String home = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String ns = i % 2 == 0 ? a : b;
                jobs.add(pool.submit(() -> {
                    try (NetnsHandle h = stack.open(NetnsRef.named(ns))) {
                        h.links().list();
                    }
                    return stack.callIn(NetnsRef.named(ns), () -> Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString());
                }));
            }
            for (Future<?> f : jobs) {
                assertNotEquals(home, f.get());
            }
            try (NetnsHandle h = stack.open(NetnsRef.named(a))) {
                h.links().add(LinkSpec.Veth.pair("t0", "t1"));
                h.links().delete(LinkRef.name("t0"));
            }
        } finally {
            pool.shutdown();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
        Map<String, String> after = threadNamespaces();
        after.forEach((tid, net) -> assertEquals(home, net, "thread " + tid + " is in " + net + ", not " + home));
        assertTrue(after.size() < before.size() + 10, "no thread piles up: " + before.size() + " -> " + after.size());
    }

    /** Workers go home after a failing task, and one started from inside a foreign namespace (a nested call) goes home too. */
    @Test
    void workersGoHomeAfterFailuresAndNestedCalls(Sandbox sandbox) throws Exception {
        String a = sandbox.netns("wa");
        String b = sandbox.netns("wb");
        String home = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        String inA = stack.callIn(NetnsRef.named(a), () -> Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString());
        for (int i = 0; i < 20; i++) {
            assertThrows(IllegalStateException.class, () -> stack.callIn(NetnsRef.named(a), () -> {
                throw new IllegalStateException("task fails in the namespace");
            }));
            // every worker may be busy here, so the inner call may start a new one, from inside namespace a
            String[] nested = stack.callIn(NetnsRef.named(a), () -> new String[] {
                Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString(),
                stack.callIn(NetnsRef.named(b), () -> Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString())});
            assertEquals(inA, nested[0]);
            assertNotEquals(inA, nested[1]);
            assertNotEquals(home, nested[1]);
        }
        threadNamespaces().forEach((tid, net) -> assertEquals(home, net, "thread " + tid + " is in " + net + ", not " + home));
    }

    /** Thread id to its network namespace, for every thread of this JVM. */
    private static Map<String, String> threadNamespaces() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    out.put(t.getFileName().toString(), Files.readSymbolicLink(t.resolve("ns/net")).toString());
                } catch (IOException gone) {
                    // the thread ended meanwhile
                }
            }
        }
        return out;
    }
}
