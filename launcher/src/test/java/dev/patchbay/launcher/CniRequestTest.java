package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The daemon's side of a CNI call: the wire frame, how the call reaches the cni command, the error result. */
class CniRequestTest {

    /** A stand-in for the cni command of a bundle: reads the call the documented way. */
    @Command(name = "cni")
    static final class FakeCni implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        final List<Map<String, Object>> seen = new ArrayList<>();

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() {
            Map<String, Object> cni = (Map<String, Object>) spec.root().findOption("--cni-request").getValue();
            seen.add(cni);
            if (cni == null) {
                return 1;
            }
            Map<String, String> env = (Map<String, String>) cni.get("env");
            spec.commandLine().getOut().print("{\"type\":\"" + cni.get("type") + "\",\"verb\":\"" + env.get("CNI_COMMAND")
                    + "\",\"stdin\":" + new String((byte[]) cni.get("stdin"), StandardCharsets.UTF_8) + "}");
            return 0;
        }
    }

    private static DaemonSocket.CniCall call(String verb, String stdin) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", verb);
        env.put("CNI_IFNAME", "eth0");
        env.put("PATH", "/usr/bin");
        return new DaemonSocket.CniCall("net:[1]", "bridge", env, stdin.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void cniFrameRoundTrips() throws IOException {
        DaemonSocket.CniCall sent = call("ADD", "{\"cniVersion\":\"1.0.0\",\"x\":\"\u00e9\"}");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DaemonSocket.write(new DataOutputStream(bytes), sent);
        DaemonSocket.Call got = DaemonSocket.readCall(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        DaemonSocket.CniCall cni = assertInstanceOf(DaemonSocket.CniCall.class, got);
        assertEquals("net:[1]", cni.netns());
        assertEquals("bridge", cni.type());
        assertEquals(sent.env(), cni.env());
        assertArrayEquals(sent.stdin(), cni.stdin());
    }

    @Test
    void cliFramesStayVersion1AndUnknownVersionsAreRefused() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DaemonSocket.write(new DataOutputStream(bytes), new DaemonSocket.Request("net:[1]", new String[] {"ls", "-o", "json"}));
        DaemonSocket.Request r = assertInstanceOf(DaemonSocket.Request.class,
                DaemonSocket.readCall(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))));
        assertEquals("net:[1]", r.netns());
        assertArrayEquals(new String[] {"ls", "-o", "json"}, r.args());
        byte[] v4 = {-1, -1, -1, -4};
        assertThrows(IOException.class, () -> DaemonSocket.readCall(new DataInputStream(new ByteArrayInputStream(v4))));
    }

    @Test
    void theCommandSeesTheCallOnlyDuringIt() {
        FakeCni cni = new FakeCni();
        PatchbayCli cli = PatchbayCli.create(null, new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        cli.commandLine().addSubcommand("cni", new CommandLine(cni));
        DaemonSocket.Reply reply = CniRequest.execute(call("DEL", "{\"cniVersion\":\"0.4.0\"}"), (a, o, e) -> cli.executeAgain(o, e, a));
        assertEquals(0, reply.code(), reply.err());
        JsonObject out = JsonParser.parseString(reply.out()).getAsJsonObject();
        assertEquals("bridge", out.get("type").getAsString());
        assertEquals("DEL", out.get("verb").getAsString());
        assertEquals("0.4.0", out.getAsJsonObject("stdin").get("cniVersion").getAsString());
        // the same command line again, outside a call, with a value typed for the hidden option: still nothing
        assertEquals(1, cli.executeAgain(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), "--cni-request", "x", "cni"));
        assertNull(cni.seen.get(1));
    }

    @Test
    void aFailureWithNoResultBecomesACniError() {
        DaemonSocket.Reply r = CniRequest.asCniReply(3, "", "patchbay: no command 'cni': no started bundle provides it\nmore\n",
                "{\"prevResult\":{\"cniVersion\":\"0.3.1\"},\"cniVersion\":\"0.4.0\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals(3, r.code());
        JsonObject e = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals("0.4.0", e.get("cniVersion").getAsString());
        assertEquals(103, e.get("code").getAsInt());
        assertEquals("patchbay: no command 'cni': no started bundle provides it", e.get("msg").getAsString());
        assertEquals("patchbay: no command 'cni': no started bundle provides it\nmore", e.get("details").getAsString());
        DaemonSocket.Reply own = CniRequest.asCniReply(1, "{\"code\":7}", "", new byte[0]);
        assertEquals("{\"code\":7}", own.out(), "a result the command wrote is left alone");
        assertEquals("1.0.0", CniRequest.cniVersion("not json".getBytes(StandardCharsets.UTF_8)));
    }
}
