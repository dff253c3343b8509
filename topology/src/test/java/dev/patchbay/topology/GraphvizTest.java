package dev.patchbay.topology;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.UnavailableException;
import org.junit.jupiter.api.Test;

class GraphvizTest {
    @Test
    void withoutDotTheErrorNamesTheProgramAndThePackage() {
        UnavailableException e = assertThrows(UnavailableException.class, () -> Graphviz.find("/nonexistent/bin:"));
        assertTrue(e.getMessage().contains("Graphviz's dot program") && e.getMessage().contains("apt install graphviz"), e.getMessage());
        assertTrue(e.getMessage().contains("/nonexistent/bin"), "names the PATH looked in: " + e.getMessage());
    }
}
