package dev.patchbay.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The harness itself: namespaces come and go, and a leak is caught. */
@NetnsTest
class SandboxIT {

    @Test
    void runsOutsideTheMachinesNamespace() throws Exception {
        assertNotEquals(System.getProperty("patchbay.sandbox.parent"), Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString());
    }

    @Test
    void createsAndRemovesNamespaces(Sandbox sandbox) {
        String red = sandbox.netns("red");
        String blue = sandbox.netns("blue");
        assertTrue(Sandbox.netnsList().contains(red));
        sandbox.run("ip", "-n", red, "link", "add", "v0", "type", "veth", "peer", "name", "v1", "netns", blue);
        sandbox.run("ip", "-n", red, "addr", "add", "10.9.0.1/24", "dev", "v0");
        sandbox.run("ip", "-n", blue, "addr", "add", "10.9.0.2/24", "dev", "v1");
        sandbox.run("ip", "-n", red, "link", "set", "v0", "up");
        sandbox.run("ip", "-n", blue, "link", "set", "v1", "up");
        assertTrue(sandbox.ping(red, "10.9.0.2"));
        sandbox.close();
        assertFalse(Sandbox.netnsList().contains(red));
        assertFalse(Sandbox.netnsList().contains(blue));
    }

    @Test
    void catchesALeakedLink() {
        Sandbox sandbox = Sandbox.open();
        Sandbox.exec("ip", "link", "add", "leak0", "type", "veth", "peer", "name", "leak1");
        AssertionError e = assertThrows(AssertionError.class, sandbox::close);
        assertTrue(e.getMessage().contains("leak0"), e.getMessage());
        assertFalse(Sandbox.hostLinks().contains("leak0"), "close removes what leaked");
    }

    @Test
    void catchesALeakedNamespace() {
        Sandbox sandbox = Sandbox.open();
        Sandbox.exec("ip", "netns", "add", "leaked-ns");
        AssertionError e = assertThrows(AssertionError.class, sandbox::close);
        assertTrue(e.getMessage().contains("leaked-ns"), e.getMessage());
        assertEquals(Sandbox.netnsList().contains("leaked-ns"), false);
    }
}
