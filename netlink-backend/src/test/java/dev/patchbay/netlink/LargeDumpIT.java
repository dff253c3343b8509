package dev.patchbay.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Dumps that span many datagrams, taken while another socket keeps changing the set (NLM_F_DUMP_INTR). */
@NetnsTest
class LargeDumpIT {
    final NetlinkNetworkStack stack = new NetlinkNetworkStack();

    @Test
    void consistentUnderChurn(Sandbox sandbox) throws Exception {
        String ns = sandbox.netns("dump");
        String peers = sandbox.netns("dumpp");
        try (NetnsHandle h = stack.open(NetnsRef.named(ns)); NetnsHandle churn = stack.open(NetnsRef.named(ns))) {
            List<LinkSpec> specs = new ArrayList<>();
            for (int i = 0; i < 1500; i++) {
                specs.add(new LinkSpec.Veth(IfName.of("d" + i), IfName.of("e" + i), NetnsRef.named(peers), null, null, null));
            }
            h.links().addAll(specs);
            AtomicBoolean stop = new AtomicBoolean();
            java.util.concurrent.atomic.AtomicInteger dumps = new java.util.concurrent.atomic.AtomicInteger();
            Thread t = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    int during = dumps.get();
                    churn.links().add(LinkSpec.Bridge.named("c" + (i % 50)));
                    churn.links().delete(LinkRef.name("c" + (i % 50)));
                    try {
                        // one change pair per dump: it interrupts the dump running (a restart), and the restarted dump
                        // then finishes however busy the machine is (at a fixed pace CI saw 21 interrupted in a row
                        // while other builds ran, the dumps slower than the churn)
                        while (dumps.get() == during && !stop.get()) {
                            Thread.sleep(2);
                        }
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            long restartsBefore = NetlinkSocket.DUMP_RESTARTS.get();
            t.start();
            try {
                for (int round = 0; round < 20; round++) {
                    List<Link> links = h.links().list();
                    dumps.incrementAndGet();
                    Set<Integer> seen = new HashSet<>();
                    int stable = 0;
                    for (Link l : links) {
                        assertTrue(seen.add(l.index()), "link " + l.name() + " listed twice");
                        if (l.name().value().startsWith("d")) {
                            stable++;
                        }
                    }
                    assertEquals(1500, stable, "every stable link in every dump");
                }
            } finally {
                stop.set(true);
                t.join();
            }
            System.out.println("dump restarts on NLM_F_DUMP_INTR: " + (NetlinkSocket.DUMP_RESTARTS.get() - restartsBefore));
        }
    }
}
