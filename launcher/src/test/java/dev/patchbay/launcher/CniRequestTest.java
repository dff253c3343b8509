package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.host.cni.CniHandler;
import dev.patchbay.host.cni.CniInvocation;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The daemon's side of a CNI call: the wire frame, how the call reaches the CNI handler service, the error result. */
class CniRequestTest {

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
    void theHandlerGetsTheCallAsTheRuntimeMadeIt() {
        List<CniInvocation> seen = new ArrayList<>();
        AtomicBoolean gone = new AtomicBoolean();
        List<Boolean> goneSeen = new ArrayList<>();
        CniHandler handler = (call, out, err, callerGone) -> {
            seen.add(call);
            gone.set(true);
            goneSeen.add(callerGone.getAsBoolean()); // the launcher's signal itself, not a copy of its value
            out.print("{\"type\":\"" + call.name() + "\",\"verb\":\"" + call.env("CNI_COMMAND") + "\",\"stdin\":"
                    + new String(call.stdin(), StandardCharsets.UTF_8) + "}");
            err.println("diagnostic");
            return 0;
        };
        DaemonSocket.CniCall call = call("DEL", "{\"cniVersion\":\"0.4.0\"}");
        DaemonSocket.Reply reply = CniRequest.execute(call, handler, gone::get);
        assertEquals(0, reply.code(), reply.err());
        JsonObject out = JsonParser.parseString(reply.out()).getAsJsonObject();
        assertEquals("bridge", out.get("type").getAsString());
        assertEquals("DEL", out.get("verb").getAsString());
        assertEquals("0.4.0", out.getAsJsonObject("stdin").get("cniVersion").getAsString());
        assertEquals("diagnostic\n", reply.err());
        assertEquals(List.of(true), goneSeen);
        assertEquals(new CniInvocation("bridge", call.env(), call.stdin()), seen.get(0));
        // a value: what the handler holds cannot change the call, nor the call what the handler holds
        seen.get(0).stdin()[0] = 'x';
        assertEquals('{', seen.get(0).stdin()[0]);
        assertThrows(UnsupportedOperationException.class, () -> seen.get(0).env().put("CNI_COMMAND", "ADD"));
    }

    @Test
    void aHandlerThatThrowsIsAnInternalErrorAsCniJson() {
        DaemonSocket.Reply r = CniRequest.execute(call("ADD", "{\"cniVersion\":\"1.1.0\"}"), (call, out, err, gone) -> {
            throw new IllegalStateException("bug");
        }, () -> false);
        assertEquals(4, r.code());
        JsonObject e = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals("1.1.0", e.get("cniVersion").getAsString());
        assertEquals(104, e.get("code").getAsInt());
        assertEquals("patchbay: internal error: java.lang.IllegalStateException: bug", e.get("msg").getAsString());
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
