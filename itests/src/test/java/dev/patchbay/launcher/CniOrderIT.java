package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.patchbay.launcher.CniShimTest.Run;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.io.DataOutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The order of a container's CNI calls in the daemon: an ADD held up (every worker of the daemon busy on a network this
 * test holds the lock of), whose runtime gave up on it (the shim killed) and sent DEL, which was answered: the ADD never
 * takes effect after it, not even once the daemon is free again, and gc finds nothing of it. The real daemon and shim.
 */
@NetnsTest
class CniOrderIT {
    private static final int ROUNDS = 3;

    @Test
    void anAddHeldUpNeverTakesEffectAfterItsDelWasAnswered(Sandbox sandbox) throws Exception {
        Cli cli = Cli.fresh();
        Process daemon = cli.startDaemon(Map.of("PATCHBAY_STATE_DIR", cli.stateDir().toString()));
        String busyCtr = sandbox.netns("busy");
        JsonObject conf = CniVerbsIT.bridge("1.0.0", "ord", "10.83.0.0/24", "");
        Path ipam = Path.of(conf.getAsJsonObject("ipam").get("dataDir").getAsString()).resolve("ord");
        try {
            assertEquals(0, Within.cli(cli, 60, "network", "create", "busy", "--subnet", "10.84.0.0/24", "--bridge", "pbbusy0").code());
            for (int round = 0; round < ROUNDS; round++) {
                String ctr = sandbox.netns("o" + round);
                String id = "ord" + round;
                List<SocketChannel> busy = new ArrayList<>();
                CompletableFuture<Run> del;
                try (FileChannel lockFile = FileChannel.open(cli.stateDir().resolve("locks/busy.lock"), StandardOpenOption.WRITE);
                     FileLock held = lockFile.lock()) {
                    for (int i = 0; i < 16; i++) { // every worker waits for the lock this test holds
                        busy.add(request(cli, "attach", "busy", "--netns", busyCtr));
                    }
                    Thread.sleep(1000);
                    Process add = start(cli, "ADD", id, ctr, conf.toString());
                    Thread.sleep(1500);
                    assertTrue(add.isAlive(), "the ADD is held up");
                    add.destroyForcibly().waitFor(); // the runtime's timeout
                    del = Within.async(() -> {
                        try {
                            return Within.cni(120, "bridge", DaemonFairnessIT.cniEnv(cli, "DEL", id, "/run/netns/" + ctr), conf.toString());
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    Thread.sleep(1000);
                } // the lock released: the daemon is free again
                Run d = del.get(180, TimeUnit.SECONDS);
                assertEquals(0, d.code(), "DEL answered: " + d.out() + d.err());
                for (SocketChannel ch : busy) {
                    ch.close();
                }
                Thread.sleep(3000); // whatever was still queued has run by now
                assertFalse(Within.cli(cli, 60, "-o", "json", "ls").out().contains(id), "round " + round + ": " + id + " is not attached");
                assertTrue(sandbox.execIn(ctr, "ip", "link", "show", "eth0").code() != 0, "round " + round + ": nothing plugged into " + ctr);
                assertEquals(0, Within.cli(cli, 60, "gc").code());
                assertFalse(Within.cli(cli, 60, "-o", "json", "ls").out().contains(id), "gc keeps nothing of " + id);
                if (Files.isDirectory(ipam)) {
                    try (var files = Files.list(ipam)) {
                        assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith("10.83.")).toList(), "no address held");
                    }
                }
            }
            assertEquals(0, Within.cli(cli, 60, "network", "rm", "--force", "busy").code());
            Within.cli(cli, 60, "network", "rm", "--force", "ord");
        } finally {
            DaemonFairnessIT.stop(daemon);
        }
        cli.assertNoRecords();
    }

    /** A command line sent to the daemon as the CLI sends it, left waiting for its answer. */
    private static SocketChannel request(Cli cli, String... args) throws Exception {
        SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(DaemonFairnessIT.socket(cli)));
        String[] all = new String[args.length + 2];
        all[0] = "--state-dir";
        all[1] = cli.stateDir().toString();
        System.arraycopy(args, 0, all, 2, args.length);
        DaemonSocket.Request r = new DaemonSocket.Request(DaemonSocket.currentNetns(), all);
        DataOutputStream out = new DataOutputStream(Channels.newOutputStream(ch));
        DaemonSocket.write(out, r); // version 1: what every daemon reads
        return ch;
    }

    /** A shim started for one call, its configuration written and stdin closed. */
    private static Process start(Cli cli, String verb, String id, String ctr, String config) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(CniSeedIT.CNI_DIR.resolve("bridge").toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().clear();
        pb.environment().putAll(DaemonFairnessIT.cniEnv(cli, verb, id, "/run/netns/" + ctr));
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            in.write(config.getBytes(StandardCharsets.UTF_8));
        }
        return p;
    }
}
