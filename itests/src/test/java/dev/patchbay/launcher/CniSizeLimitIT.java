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
import java.nio.ByteBuffer;
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

    /**
     * A client that announces 60 MB and goes on sending while it waits: refused from its length, before any of it is
     * read, every time (ten connections); the daemon serves on. The client writes and reads the channel itself, from two
     * threads: the streams of {@link Channels} would take turns on the channel's blocking lock, so a read waiting for the
     * answer would keep the request's first bytes from going out, and the daemon would close a silent client after its
     * read deadline (an EOF here, 10 s later).
     */
    @Test
    void aRawFrameOf60MegabytesIsRefusedFromItsLength(Sandbox sandbox) throws Exception {
        Cli cli = Cli.fresh();
        Process daemon = cli.startDaemon(Map.of("PATCHBAY_STATE_DIR", cli.stateDir().toString()));
        try {
            for (int round = 0; round < 10; round++) {
                try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(DaemonFairnessIT.socket(cli)))) {
                    CompletableFuture<Void> sending = Within.async(() -> {
                        try {
                            ch.write(ByteBuffer.wrap(head(60 << 20)));
                            ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
                            for (int i = 0; i < 60; i++) {
                                chunk.clear();
                                while (chunk.hasRemaining()) {
                                    ch.write(chunk);
                                }
                            }
                        } catch (java.io.IOException e) {
                            // the daemon closed the connection after its answer
                        }
                        return null;
                    });
                    DaemonSocket.Reply reply = Within.async(() -> readAll(ch)).get(30, TimeUnit.SECONDS);
                    assertEquals(2, reply.code(), "round " + round + ": " + reply.err());
                    assertTrue(reply.out().contains("\"code\":7") && reply.out().contains("limit of 1048576 bytes"), reply.out());
                    sending.get(30, TimeUnit.SECONDS);
                }
            }
            assertEquals(0, Within.cli(cli, 30, "network", "ls").code(), "the daemon serves on");
        } finally {
            DaemonFairnessIT.stop(daemon);
        }
    }

    /** A version 2 CNI frame up to its configuration's length: the client's namespace, type bridge, no environment. */
    private static byte[] head(int configLength) throws java.io.IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(DaemonSocket.WIRE_V2);
        for (String s : List.of(DaemonSocket.KIND_CNI, DaemonSocket.currentNetns(), "bridge")) {
            out.writeInt(s.length());
            out.writeBytes(s);
        }
        out.writeInt(0);
        out.writeInt(configLength);
        return bytes.toByteArray();
    }

    /** The daemon's reply: what the channel holds up to its end (a reset after the answer ends it too). */
    private static DaemonSocket.Reply readAll(SocketChannel ch) throws java.io.IOException {
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        try {
            while (ch.read(buf.clear()) > 0) {
                got.write(buf.array(), 0, buf.position());
            }
        } catch (java.io.IOException e) {
            if (got.size() == 0) {
                throw e;
            }
        }
        return DaemonSocket.readReply(new DataInputStream(new java.io.ByteArrayInputStream(got.toByteArray())));
    }

    /**
     * A shim whose environment is past the daemon's limit for it ({@link DaemonFrameReader#MAX_REST}) gets the daemon's
     * refusal naming the limit (three calls): the daemon answers from the length and closes before it read the rest, so
     * the shim's send fails (EPIPE), and the answer is read anyway; not "the daemon went away" (code 11, try again).
     */
    @Test
    void anEnvironmentPastTheDaemonsLimitIsRefusedByName(Sandbox sandbox) throws Exception {
        Cli cli = Cli.fresh();
        String ctr = sandbox.netns("env");
        Process daemon = cli.startDaemon(Map.of("PATCHBAY_STATE_DIR", cli.stateDir().toString()));
        try {
            Map<String, String> env = DaemonFairnessIT.cniEnv(cli, "ADD", "e1", "/run/netns/" + ctr);
            // 1.2 MB: more than the socket holds once the daemon stops reading at its limit, so the shim's send fails
            // every time (EPIPE), before and after the refusal is written; one variable holds at most 128 KiB (execve)
            String big = "x".repeat(100_000);
            for (int i = 0; i < 12; i++) {
                env.put("PADDING_" + i, big);
            }
            String config = CniVerbsIT.bridge("0.4.0", "envs", "10.83.0.0/24", "").toString();
            for (int round = 0; round < 3; round++) {
                Run r = Within.cni(60, "bridge", env, config);
                assertEquals(2, r.code(), "round " + round + ": " + r.out() + r.err());
                assertTrue(r.json().get("msg").getAsString().contains("limit of " + DaemonFrameReader.MAX_REST + " bytes for the environment"),
                        "round " + round + ": " + r.out());
            }
            assertEquals(0, Within.cli(cli, 30, "network", "ls").code(), "the daemon serves on");
        } finally {
            DaemonFairnessIT.stop(daemon);
        }
        cli.assertNoRecords();
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
