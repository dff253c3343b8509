package dev.patchbay.orchestrator.network;

import com.google.gson.Gson;
import dev.patchbay.state.Json;
import dev.patchbay.core.network.Attachment;

/**
 * Reads and writes one of each state record (a network, an attachment, a journal entry) on a thread of its own while
 * the framework starts the other bundles: the first use of the shared encoder builds its reflective adapters for these
 * records and loads their classes, 20-30 ms of a cold CNI call or CLI command that would otherwise wait for it. The
 * records are made up; nothing is read from or written to the state directory.
 */
final class StateWarmUp {
    private static final String NETWORK = "{\"config\":{\"name\":\"warm\",\"driver\":\"bridge\",\"plugins\":[\"firewall\"],"
            + "\"subnet\":\"10.0.0.0/24\",\"gateway\":\"10.0.0.1\",\"subnet6\":null,\"gateway6\":null,\"options\":{\"bridge\":\"warm0\"}},"
            + "\"hostNetns\":\"x/1\",\"hostDescription\":\"the current namespace\",\"hostPlace\":\"netns:x\"}";
    private static final String ATTACHMENT = "{\"network\":\"warm\",\"containerId\":\"c\",\"netnsPath\":\"/run/netns/x\",\"ifName\":\"eth0\","
            + "\"hostIf\":\"veth0\",\"mac\":\"02:00:00:00:00:01\",\"addresses\":[\"10.0.0.2/24\"],\"ports\":[\"8080:80/tcp\"],\"netnsId\":\"x/2\"}";
    private static final String ENTRY = "{\"id\":\"attach-1\",\"op\":\"attach\",\"network\":\"warm\",\"containerId\":\"c\","
            + "\"hostNetns\":\"x/1\",\"steps\":[]}";

    private final Thread thread;

    private StateWarmUp(Thread thread) {
        this.thread = thread;
    }

    static StateWarmUp start() {
        Thread t = new Thread(() -> {
            try {
                Gson g = Json.compact();
                g.toJson(g.fromJson(NETWORK, NetworkRecord.class));
                g.toJson(g.fromJson(ATTACHMENT, Attachment.class));
                g.toJson(g.fromJson(ENTRY, Journal.Entry.class));
            } catch (RuntimeException | LinkageError ignored) {
                // only a warm-up: the real reads report their own problems. A LinkageError: the bundle's wiring went
                // (its framework stopped or it was refreshed) while this ran; nothing here is worth a stack trace
            }
        }, "patchbay-state-warm-up");
        t.setDaemon(true);
        t.start();
        return new StateWarmUp(t);
    }

    /**
     * Waits for the warm-up to end (the component is deactivated: its bundle may be stopped, its class loader closed next).
     * Interrupting it would not stop gson; it takes tens of milliseconds, and this waits at most a second.
     */
    void stop() {
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
