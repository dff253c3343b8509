package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.patchbay.launcher.CniShimTest.Run;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The size limit of a CNI configuration ({@link CniRequest#MAX_CONFIG}, 1 MiB): past it, code 7 naming the limit,
 * the same answer through the daemon, from the shim without one, and from the launcher run as the plugin; a raw frame
 * announcing 60 MB is refused from its length; sixteen ADDs just under the limit at once all attach.
 */
@NetnsTest
class CniSizeLimitIT {
    /** A valid bridge configuration padded to {@code bytes} bytes. */
    static String padded(JsonObject conf, int bytes) {
        JsonObject c = conf.deepCopy();
        c.add("padding", new JsonPrimitive(""));
        int pad = bytes - c.toString().length();
        c.add("padding", new JsonPrimitive("x".repeat(pad)));
        String s = c.toString();
        assertEquals(bytes, s.getBytes(StandardCharsets.UTF_8).length);
        return s;
    }

    @Test
    void aConfigurationPastTheLimitIsCode7TheSameWithAndWithoutTheDaemon(Sandbox sandbox) throws Exception {
        Cli cli = Cli.fresh();
        String ctr = sandbox.netns("big");
        JsonObject conf = CniVerbsIT.bridge("0.4.0", "sizes", "10.81.0.0/24", "");
        String config = padded(conf, CniRequest.MAX_CONFIG + 1);
        Map<String, String> env = DaemonFairnessIT.cniEnv(cli, "ADD", "b1", "/run/netns/" + ctr);
        Map<String, String> cold = new HashMap<>(env);
        cold.put("PATCHBAY_DAEMON", "off");
        Run without = Within.cni(60, "bridge", cold, config);
        Map<String, String> launcher = new HashMap<>(cold); // bin/patchbay run as the plugin itself
        launcher.put("JAVA_HOME", System.getProperty("java.home"));
        Run java = Within.run(60, List.of(Cli.DIST.resolve("bin/patchbay").toString()), launcher, config.getBytes(StandardCharsets.UTF_8));
        // at the limit, without the daemon: the shim hands what it read to the launcher (a memfd as its stdin)
        Run coldAdd = Within.cni(60, "bridge", cold, padded(conf, CniRequest.MAX_CONFIG));
        assertEquals(0, coldAdd.code(), coldAdd.out() + coldAdd.err());
        Map<String, String> coldDel = new HashMap<>(cold);
        coldDel.put("CNI_COMMAND", "DEL");
        Run coldDelRun = Within.cni(60, "bridge", coldDel, conf.toString());
        assertEquals(0, coldDelRun.code(), coldDelRun.out() + coldDelRun.err());
        Process daemon = cli.startDaemon(Map.of("PATCHBAY_STATE_DIR", cli.stateDir().toString()));
        try {
            Run with = Within.cni(30, "bridge", env, config);
            for (Run r : List.of(with, without, java)) {
                assertEquals(2, r.code(), r.out() + r.err());
                JsonObject e = r.json();
                assertEquals(7, e.get("code").getAsInt(), r.out());
                assertEquals("0.4.0", e.get("cniVersion").getAsString(), r.out());
                assertTrue(e.get("msg").getAsString().contains("limit of 1048576 bytes"), r.out());
            }
            assertEquals(with.out(), without.out(), "the same answer with and without the daemon");
            assertEquals(with.out(), java.out(), "the same answer from the launcher");
            // one byte less is a configuration like any other
            Run add = Within.cni(30, "bridge", env, padded(conf, CniRequest.MAX_CONFIG));
            assertEquals(0, add.code(), add.out() + add.err());
            Run del = Within.cni(30, "bridge", DaemonFairnessIT.cniEnv(cli, "DEL", "b1", "/run/netns/" + ctr), conf.toString());
            assertEquals(0, del.code(), del.out() + del.err());
            assertEquals(0, Within.cli(cli, 30, "network", "rm", "--force", "sizes").code());
        } finally {
            DaemonFairnessIT.stop(daemon);
        }
        cli.assertNoRecords();
    }

    /** A client that announces 60 MB: refused from its length, before any of it is read; the daemon serves on. */
    @Test
    void aRawFrameOf60MegabytesIsRefusedFromItsLength(Sandbox sandbox) throws Exception {
        Cli cli = Cli.fresh();
        Process daemon = cli.startDaemon(Map.of("PATCHBAY_STATE_DIR", cli.stateDir().toString()));
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(DaemonFairnessIT.socket(cli)))) {
            int size = 60 << 20;
            CompletableFuture<Void> sending = Within.async(() -> {
                try {
                    DataOutputStream out = new DataOutputStream(Channels.newOutputStream(ch));
                    out.writeInt(DaemonSocket.WIRE_V2);
                    out.writeInt(3);
                    out.writeBytes("cni");
                    for (String s : List.of(DaemonSocket.currentNetns(), "bridge")) {
                        out.writeInt(s.length());
                        out.writeBytes(s);
                    }
                    out.writeInt(0);
                    out.writeInt(size);
                    byte[] chunk = new byte[1 << 20];
                    for (int i = 0; i < 60; i++) {
                        out.write(chunk);
                    }
                    out.flush();
                } catch (java.io.IOException e) {
                    // the daemon closed the connection after its answer
                }
                return null;
            });
            DaemonSocket.Reply reply = Within.async(() -> {
                try {
                    return DaemonSocket.readReply(new DataInputStream(Channels.newInputStream(ch)));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).get(30, TimeUnit.SECONDS);
            assertEquals(2, reply.code(), reply.err());
            assertTrue(reply.out().contains("\"code\":7") && reply.out().contains("limit of 1048576 bytes"), reply.out());
            sending.get(30, TimeUnit.SECONDS);
            assertEquals(0, Within.cli(cli, 30, "network", "ls").code(), "the daemon serves on");
        } finally {
            DaemonFairnessIT.stop(daemon);
        }
    }

    @Test
    void sixteenAddsJustUnderTheLimitAtOnceAllAttach(Sandbox sandbox) throws Exception {
        Cli cli = Cli.fresh();
        Process daemon = cli.startDaemon(Map.of("PATCHBAY_STATE_DIR", cli.stateDir().toString()));
        JsonObject conf = CniVerbsIT.bridge("1.0.0", "wide", "10.82.0.0/24", "");
        String config = padded(conf, 1_000_000);
        List<String> ctrs = new ArrayList<>();
        try {
            List<CompletableFuture<Run>> adds = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String ctr = sandbox.netns("w" + i);
                ctrs.add(ctr);
                Map<String, String> env = DaemonFairnessIT.cniEnv(cli, "ADD", "w" + i, "/run/netns/" + ctr);
                adds.add(Within.async(() -> {
                    try {
                        return Within.cni(120, "bridge", env, config);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            List<String> addresses = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                Run r = adds.get(i).get(180, TimeUnit.SECONDS);
                assertEquals(0, r.code(), "ADD " + i + ": " + r.out() + r.err());
                addresses.add(r.json().getAsJsonArray("ips").get(0).getAsJsonObject().get("address").getAsString());
            }
            assertEquals(16, addresses.stream().distinct().count(), "never an address twice: " + addresses);
            for (int i = 0; i < 16; i++) {
                Run del = Within.cni(60, "bridge", DaemonFairnessIT.cniEnv(cli, "DEL", "w" + i, "/run/netns/" + ctrs.get(i)), conf.toString());
                assertEquals(0, del.code(), del.out() + del.err());
            }
            assertEquals(0, Within.cli(cli, 30, "network", "rm", "--force", "wide").code());
        } finally {
            DaemonFairnessIT.stop(daemon);
        }
        cli.assertNoRecords();
    }
}
