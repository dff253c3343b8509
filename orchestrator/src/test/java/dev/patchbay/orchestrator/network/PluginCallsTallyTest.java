package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.orchestrator.metrics.Tally;
import org.junit.jupiter.api.Test;

/** The metrics' plugin call failures: a plugin's bug counts, a plugin's own clear error does not. */
class PluginCallsTallyTest {

    @Test
    void aPluginsBugIsCountedItsOwnErrorIsNot() {
        long failed = Tally.PLUGIN_CALLS_FAILED.sum();
        assertThrows(PluginCalls.PluginFailure.class, () -> PluginCalls.run("plugin \"broken\"", "set up", () -> {
            throw new NullPointerException("a bug");
        }));
        assertEquals(failed + 1, Tally.PLUGIN_CALLS_FAILED.sum());
        assertThrows(InvalidInputException.class, () -> PluginCalls.run("plugin \"picky\"", "validate", () -> {
            throw new InvalidInputException("opt", "x", "is not an option");
        }));
        assertEquals(failed + 1, Tally.PLUGIN_CALLS_FAILED.sum(), "a clear error the plugin chose is no plugin problem");
        PluginCalls.run("plugin \"fine\"", "set up", () -> { });
        assertEquals(failed + 1, Tally.PLUGIN_CALLS_FAILED.sum());
    }
}
