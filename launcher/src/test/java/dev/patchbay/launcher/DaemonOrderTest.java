package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The calls of one container and interface run one at a time in arrival order; other requests do not wait for them. */
class DaemonOrderTest {
    private static DaemonSocket.CniCall call(String id, String ifname) {
        return new DaemonSocket.CniCall("net:[1]", "bridge", Map.of("CNI_CONTAINERID", id, "CNI_IFNAME", ifname), new byte[0]);
    }

    @Test
    void theKeyIsTheContainerAndInterface() {
        assertEquals(DaemonOrder.key(call("c1", "eth0")), DaemonOrder.key(call("c1", "eth0")));
        assertNotEquals(DaemonOrder.key(call("c1", "eth0")), DaemonOrder.key(call("c1", "eth1")));
        assertNotEquals(DaemonOrder.key(call("c1", "eth0")), DaemonOrder.key(call("c2", "eth0")));
        assertNull(DaemonOrder.key(call("", "eth0")), "GC, STATUS: no container");
        assertNull(DaemonOrder.key(new DaemonSocket.Request("net:[1]", new String[] {"ls"})));
    }

    @Test
    void aDelWaitsForTheAddAheadOfItWhileOthersRun() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            DaemonOrder order = new DaemonOrder(pool);
            List<String> ran = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch addRunning = new CountDownLatch(1);
            CountDownLatch releaseAdd = new CountDownLatch(1);
            CountDownLatch otherRan = new CountDownLatch(1);
            CountDownLatch delRan = new CountDownLatch(1);
            String key = DaemonOrder.key(call("c1", "eth0"));
            order.submit(key, () -> {
                addRunning.countDown();
                await(releaseAdd);
                ran.add("ADD");
            });
            assertTrue(addRunning.await(60, TimeUnit.SECONDS));
            order.submit(key, () -> {
                ran.add("DEL");
                delRan.countDown();
            });
            order.submit(DaemonOrder.key(call("c2", "eth0")), () -> {
                ran.add("other container");
                otherRan.countDown();
            });
            order.submit(null, () -> ran.add("command line"));
            assertTrue(otherRan.await(60, TimeUnit.SECONDS), "another container's call runs while the ADD does");
            assertTrue(!ran.contains("DEL"), "the DEL waits for the ADD ahead of it: " + ran);
            releaseAdd.countDown();
            assertTrue(delRan.await(60, TimeUnit.SECONDS));
            assertTrue(ran.indexOf("ADD") < ran.indexOf("DEL"), ran.toString());
        } finally {
            pool.shutdownNow();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
