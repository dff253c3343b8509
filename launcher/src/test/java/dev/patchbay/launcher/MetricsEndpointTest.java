package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** PATCHBAY_METRICS: off, a unix socket, a loopback port; anything else refused naming the setting and the value. */
class MetricsEndpointTest {
    private static final Path DAEMON = Path.of("/run/patchbay/net-4026531840.sock");

    private static MetricsEndpoint parse(String value) {
        return MetricsEndpoint.parse(value, DAEMON);
    }

    @Test
    void offByDefault() {
        assertTrue(parse(null).off());
        assertTrue(parse("").off());
        assertTrue(parse("off").off());
    }

    @Test
    void unixAloneIsBesideTheDaemonsSocket() {
        assertEquals(UnixDomainSocketAddress.of("/run/patchbay/net-4026531840.metrics.sock"), parse("unix").address());
        assertEquals("unix:/run/patchbay/net-4026531840.metrics.sock", parse("unix:").describe());
    }

    @Test
    void unixWithAnAbsolutePath() {
        assertEquals(UnixDomainSocketAddress.of("/run/patchbay/metrics.sock"), parse("unix:/run/patchbay/metrics.sock").address());
    }

    @Test
    void loopbackPorts() {
        InetSocketAddress v4 = (InetSocketAddress) parse("127.0.0.1:9464").address();
        assertEquals(9464, v4.getPort());
        assertTrue(v4.getAddress().isLoopbackAddress());
        assertEquals("127.0.0.1:9464", parse("127.0.0.1:9464").describe());
        assertEquals("[0:0:0:0:0:0:0:1]:9464", parse("[::1]:9464").describe());
    }

    @Test
    void refusedValuesNameTheSettingAndTheValue() {
        for (String bad : new String[] {"0.0.0.0:9464", "10.1.2.3:9464", "[::]:9464", "[fd00::1]:9464", "localhost:9464",
                "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:http", "::1:9464", "unix:relative.sock", "unix:/run/",
                "300.0.0.1:9464", "on", "9464"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(bad), bad);
            assertTrue(e.getMessage().startsWith("PATCHBAY_METRICS=" + bad + ": "), e.getMessage());
        }
    }

    @Test
    void theConfigurationChecksWithTheSameRules() {
        assertEquals(null, Setting.METRICS.kind.check("unix"));
        assertEquals(null, Setting.METRICS.kind.check("[::1]:9464"));
        String why = Setting.METRICS.kind.check("0.0.0.0:9464");
        assertTrue(why.startsWith("must be off, unix:/PATH or a loopback address") && why.contains("only a loopback address"), why);
    }

    @Test
    void aNonLoopbackAddressSaysWhy() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("0.0.0.0:9464"));
        assertTrue(e.getMessage().contains("only a loopback address"), e.getMessage());
    }
}
