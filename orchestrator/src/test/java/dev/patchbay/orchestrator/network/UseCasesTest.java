package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The use cases are wired once per state directory ({@link UseCases}) and work as before when asked again. */
class UseCasesTest {
    @TempDir
    Path dir;

    @Test
    void oneSetPerStateDirectory() {
        FakeHost h = new FakeHost(dir);
        assertSame(h.m.networks(h.state), h.m.networks(h.state));
        assertSame(h.m.attachments(h.state), h.m.attachments(h.state));
        assertSame(h.m.recovery(h.state), h.m.recovery(h.state));
        assertNotSame(h.m.networks(h.state), h.m.networks(dir.resolve("other")));
    }

    @Test
    void theSameObjectsServeOneCommandAfterAnother() {
        FakeHost h = new FakeHost(dir);
        h.create("n", "10.77.0.0/24");
        h.attach("n", "c1");
        assertEquals(1, h.m.attachments(h.state).list("n").size());
        h.m.attachments(h.state).detach(h.host, "n", "c1");
        assertEquals(0, h.m.attachments(h.state).list("n").size());
    }
}
