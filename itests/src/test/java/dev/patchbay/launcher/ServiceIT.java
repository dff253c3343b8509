package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The daemon as a systemd service: socket activation (systemd-socket-activate, as patchbay.socket does it), readiness on
 * a test NOTIFY_SOCKET, SIGHUP, and SIGTERM during a burst of requests.
 */
@NetnsTest
class ServiceIT {

    @Test
    void activatedBySocketReadyOnceItServesAndSighupKeepsItServing(Sandbox sandbox) throws Exception {
        try (ActivatedDaemon d = new ActivatedDaemon()) {
            Path sock = d.cli.runDir().resolve("patchbay.sock");
            Path named = d.cli.runDir().resolve(DaemonSocket.path().getFileName()); // net-INODE.sock of this namespace
            assertTrue(Files.isSameFile(sock, named), "patchbay-socket-link gives systemd's socket the namespace's name");
            assertEquals(List.of(), d.notifications(), "nothing started before the first client");

            d.cli.run("network", "ls").ok(); // the first client starts the daemon, waits in the socket's queue, is served
            assertTrue(d.log().contains("daemon serving"), d.log());
            assertTrue(d.log().contains("systemd's socket " + sock), d.log());
            ActivatedDaemon.await(() -> d.notifications().stream().anyMatch(l -> l.contains("READY=1")), "READY=1");
            String ready = d.notifications().stream().filter(l -> l.contains("READY=1")).findFirst().orElseThrow();
            assertTrue(ready.startsWith(d.process.pid() + " "), "sent as the daemon's main pid (NotifyAccess=main): " + ready);
            assertTrue(d.process.info().command().orElse("").endsWith("java"), "the activated process is the JVM: " + d.process.info());

            d.signal("HUP");
            ActivatedDaemon.await(() -> d.log().contains("configuration: SIGHUP: read "), "the reload is logged");
            Cli.Run after = d.cli.run("network", "ls").ok();
            assertTrue(d.process.isAlive(), "SIGHUP does not stop the daemon");
            assertTrue(after.out().contains("NAME"), after.out());
            assertTrue(d.cli.run("network", "ls").ok().err().isEmpty());
        }
    }

    /**
     * The daemon under patchbay.service's capability bounding set and no_new_privs (setpriv, as systemd sets them up)
     * makes a named namespace, a network with masquerade, an attach with a published port, and takes them down again.
     */
    @Test
    void theUnitsCapabilitiesAreEnoughToAttachAndPublish(Sandbox sandbox) throws Exception {
        Path unit = Path.of("../packaging/src/deb/root/lib/systemd/system/patchbay.service");
        String caps = Files.readAllLines(unit).stream().filter(l -> l.startsWith("CapabilityBoundingSet=")).findFirst().orElseThrow()
                .substring("CapabilityBoundingSet=".length()).trim();
        StringBuilder bounding = new StringBuilder("-all");
        for (String cap : caps.split(" +")) {
            bounding.append(",+").append(cap.toLowerCase(java.util.Locale.ROOT).replaceFirst("^cap_", ""));
        }
        String c1 = sandbox.netns("c1");
        try (ActivatedDaemon d = new ActivatedDaemon(List.of("setpriv", "--bounding-set=" + bounding, "--no-new-privs", "--"))) {
            d.cli.run("network", "create", "svc", "--subnet", "10.79.0.0/24", "--bridge", "pbsvc0", "--masquerade").ok();
            assertTrue(d.process.info().command().orElse("").endsWith("java"), "served by the activated daemon");
            String status = Files.readString(Path.of("/proc/" + d.process.pid() + "/status"));
            assertTrue(status.contains("NoNewPrivs:\t1"), "the daemon runs with no_new_privs");
            d.cli.run("netns", "add", "pbsvc-red").ok();
            d.cli.run("attach", "svc", "--netns", c1, "--publish", "8080:80/tcp").ok();
            d.cli.run("attach", "svc", "--netns", "pbsvc-red").ok();
            assertTrue(d.cli.run("-o", "json", "ls", "svc").ok().out().contains("8080"));
            d.cli.run("detach", "svc", "--netns", "pbsvc-red").ok();
            d.cli.run("detach", "svc", "--netns", c1).ok();
            d.cli.run("netns", "del", "pbsvc-red").ok();
            d.cli.run("network", "rm", "svc").ok();
            assertTrue(d.log().lines().noneMatch(l -> l.contains("Operation not permitted")), d.log());
        }
    }

    /**
     * SIGTERM while 24 network creations are queued: every request the daemon took is finished and answered, the others
     * are not run at all (the client sees the connection close without a reply), no operation is left in flight, and the
     * daemon tells systemd STOPPING=1.
     */
    @Test
    void sigtermDuringABurstFinishesWhatWasAccepted(Sandbox sandbox) throws Exception {
        int n = 24;
        List<String> created = new ArrayList<>();
        try (ActivatedDaemon d = new ActivatedDaemon()) {
            d.cli.run("network", "ls").ok(); // started
            ActivatedDaemon.await(() -> d.notifications().stream().anyMatch(l -> l.contains("READY=1")), "READY=1");
            Path named = d.cli.runDir().resolve(DaemonSocket.path().getFileName());
            ExecutorService clients = Executors.newFixedThreadPool(n);
            List<Future<DaemonSocket.Reply>> replies = new ArrayList<>();
            long[] answeredAt = new long[n];
            for (int i = 0; i < n; i++) {
                int k = i;
                replies.add(clients.submit(() -> {
                    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                        ch.connect(UnixDomainSocketAddress.of(named));
                        DaemonSocket.write(new DataOutputStream(Channels.newOutputStream(ch)), new DaemonSocket.Request(DaemonSocket.currentNetns(),
                                new String[] {"network", "create", "burst" + k, "--subnet", "10.77." + k + ".0/24", "--bridge", "pbburst" + k}));
                        DaemonSocket.Reply r = DaemonSocket.readReply(new DataInputStream(Channels.newInputStream(ch)));
                        answeredAt[k] = System.nanoTime();
                        return r;
                    } catch (IOException e) {
                        return null; // closed without a reply: not taken
                    }
                }));
            }
            ActivatedDaemon.await(() -> replies.stream().anyMatch(Future::isDone), "a first reply");
            long signalled = System.nanoTime();
            d.signal("TERM");
            assertTrue(d.process.waitFor(60, TimeUnit.SECONDS), "the daemon exits on SIGTERM");
            assertEquals(143, d.process.exitValue(), "exit status of SIGTERM (SuccessExitStatus=143 in patchbay.service)");
            int afterSignal = 0;
            for (int i = 0; i < n; i++) {
                DaemonSocket.Reply r = replies.get(i).get(60, TimeUnit.SECONDS);
                if (r != null) {
                    assertEquals(0, r.code(), "burst" + i + ": " + r.err());
                    created.add("burst" + i);
                    afterSignal += answeredAt[i] > signalled ? 1 : 0;
                }
            }
            clients.shutdown();
            assertTrue(afterSignal > 0, "some requests were still running when SIGTERM came, and were answered: " + created);
            ActivatedDaemon.await(() -> d.notifications().stream().anyMatch(l -> l.contains("STOPPING=1")), "STOPPING=1");

            Cli local = new Cli(d.cli.stateDir(), d.cli.runDir(), Map.of("PATCHBAY_DAEMON", "off"));
            String json = local.run("network", "ls", "-o", "json").ok().out();
            TreeSet<String> listed = new TreeSet<>();
            for (int i = 0; i < n; i++) {
                if (json.contains("\"burst" + i + "\"")) {
                    listed.add("burst" + i);
                }
            }
            assertEquals(new TreeSet<>(created), listed, "the networks are exactly those whose creation was answered");
            String gc = local.run("gc").ok().out();
            assertTrue(gc.startsWith("recovered 0 interrupted operation(s)"), "no operation was left in flight: " + gc);
            for (String net : created) {
                local.run("network", "rm", net).ok();
            }
        }
    }
}
