package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.Test;

/** The daemon's side of a frame from an untrusted client: version 3, the limits, and what it reads of a frame past them. */
class DaemonFrameReaderTest {
    private static final class Seen implements DaemonFrameReader.Hooks {
        final List<String> events = new ArrayList<>();

        @Override
        public void version(int version) {
            events.add("v" + version);
        }

        @Override
        public void large() {
            events.add("large");
        }
    }

    private static DaemonSocket.Call read(byte[] frame, Seen seen) throws IOException {
        return DaemonFrameReader.read(new DataInputStream(new ByteArrayInputStream(frame)), seen);
    }

    private static byte[] v3(DaemonSocket.Call call) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DaemonSocket.writeV3(new DataOutputStream(bytes), call);
        return bytes.toByteArray();
    }

    private static DaemonSocket.CniCall cni(int configBytes) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", "ADD");
        return new DaemonSocket.CniCall("net:[1]", "bridge", env, "x".repeat(configBytes).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void version3CarriesCommandLinesAndCniCalls() throws IOException {
        Seen seen = new Seen();
        DaemonSocket.Request r = assertInstanceOf(DaemonSocket.Request.class,
                read(v3(new DaemonSocket.Request("net:[1]", new String[] {"ls", "-o", "json"})), seen));
        assertArrayEquals(new String[] {"ls", "-o", "json"}, r.args());
        assertEquals(List.of("v3"), seen.events);
        DaemonSocket.CniCall c = assertInstanceOf(DaemonSocket.CniCall.class, read(v3(cni(100)), new Seen()));
        assertEquals("ADD", c.env().get("CNI_COMMAND"));
        assertEquals(100, c.stdin().length);
    }

    @Test
    void aConfigurationAtTheLimitIsReadAndLargeIsSaidOnceBeforeItsBytes() throws IOException {
        Seen seen = new Seen();
        DaemonSocket.CniCall c = (DaemonSocket.CniCall) read(v3(cni(CniRequest.MAX_CONFIG)), seen);
        assertEquals(CniRequest.MAX_CONFIG, c.stdin().length);
        assertEquals(List.of("v3", "large"), seen.events);
        Seen small = new Seen();
        read(v3(cni(1000)), small);
        assertFalse(small.events.contains("large"));
    }

    @Test
    void aConfigurationPastTheLimitIsRefusedFromItsLengthAlone() throws IOException {
        byte[] whole = v3(cni(1));
        // the header of a call announcing 60 MB, and none of its bytes: refused, not waited for
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.write(whole, 0, whole.length - 5);
        new DataOutputStream(header).writeInt(60 << 20);
        DaemonFrameReader.TooLarge e = assertThrows(DaemonFrameReader.TooLarge.class, () -> read(header.toByteArray(), new Seen()));
        assertTrue(e.cni && e.config, e.getMessage());
        assertEquals(3, e.version);
        assertEquals(CniRequest.tooLargeMessage(), e.getMessage());
        assertTrue(e.getMessage().contains("1048576"), e.getMessage());
        assertThrows(DaemonFrameReader.TooLarge.class, () -> read(v3(cni(CniRequest.MAX_CONFIG + 1)), new Seen()));
    }

    @Test
    void aCommandLinePastItsLimitIsRefusedAndACutFrameIsAnError() throws IOException {
        String[] args = new String[300];
        java.util.Arrays.fill(args, "a".repeat(1000));
        DaemonFrameReader.TooLarge e = assertThrows(DaemonFrameReader.TooLarge.class,
                () -> read(v3(new DaemonSocket.Request("net:[1]", args)), new Seen()));
        assertFalse(e.cni);
        assertTrue(e.getMessage().contains(Integer.toString(DaemonFrameReader.MAX_REST)), e.getMessage());
        byte[] whole = v3(cni(5000));
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 10);
        assertThrows(java.io.EOFException.class, () -> read(cut, new Seen()));
    }

    @Test
    void theTooLargeAnswerIsCode7InTheRequestsVersion() {
        DaemonSocket.Reply r = CniRequest.tooLarge("{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"padding\":\"xxx".getBytes(StandardCharsets.UTF_8));
        assertEquals(2, r.code());
        assertEquals("{\"cniVersion\":\"0.4.0\",\"code\":7,\"msg\":\"" + CniRequest.tooLargeMessage() + "\",\"details\":\"\"}\n", r.out());
        assertEquals("patchbay: " + CniRequest.tooLargeMessage() + "\n", r.err());
    }
}
