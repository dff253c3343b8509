package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.errors.UnavailableException;
import org.junit.jupiter.api.Test;

/**
 * A call into a plugin ({@link PluginCalls}): it runs on a daemon thread of the plugins' pool and its value comes back;
 * a clear error the plugin chose passes unchanged, anything else it throws (a linkage error of its bundle too) becomes
 * a failure naming the plugin and the step, with the cause kept.
 */
class PluginCallsTest {
    static final String WHO = "plugin \"x\" (dev.patchbay.test.x 1.0.0)";

    @Test
    void theValueComesBackFromADaemonThreadOfThePool() {
        Thread[] ran = new Thread[1];
        String v = PluginCalls.call(WHO, "give a value", () -> {
            ran[0] = Thread.currentThread();
            return "v";
        }, null);
        assertEquals("v", v);
        assertEquals("patchbay-plugin-call", ran[0].getName());
        assertTrue(ran[0].isDaemon(), "a plugin that never returns does not keep the process alive");
    }

    @Test
    void aClearErrorThePluginChosePassesUnchanged() {
        UnavailableException mine = new UnavailableException("no uplink \"eth9\"");
        assertSame(mine, assertThrows(UnavailableException.class, () -> PluginCalls.run(WHO, "set up", () -> {
            throw mine;
        })));
    }

    @Test
    void aLinkageErrorOfItsBundleIsNamedWithThePluginAndTheStep() {
        NoClassDefFoundError gone = new NoClassDefFoundError("dev/patchbay/test/x/Helper");
        PatchbayException e = assertThrows(PluginCalls.PluginFailure.class, () -> PluginCalls.call(WHO, "set up \"c1\" on network \"n\"", () -> {
            throw gone;
        }, null));
        assertEquals(WHO + " failed to set up \"c1\" on network \"n\": java.lang.NoClassDefFoundError: dev/patchbay/test/x/Helper", e.getMessage());
        assertSame(gone, e.getCause());
        assertEquals(1, e.exitCode(), "the plugin's failure, not an internal error of Patchbay");
    }
}
