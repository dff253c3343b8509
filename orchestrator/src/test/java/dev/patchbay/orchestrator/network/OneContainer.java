package dev.patchbay.orchestrator.network;

import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.testing.FakeNetworkStack;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Tests that start from a {@link FakeHost} with network "n" (10.9.0.0/24, bridge pb-n) and container "c1" attached, publishing {@link #ports}. */
public abstract class OneContainer {
    @TempDir
    protected Path dir;
    protected FakeHost h;
    protected Attachment c1;

    /** What c1 publishes; none by default. */
    protected String[] ports() {
        return new String[0];
    }

    @BeforeEach
    final void oneNetworkOneContainer() {
        h = new FakeHost(dir);
        c1 = h.oneNetworkOneContainer(ports());
    }

    /** The host's namespace in the fake kernel. */
    protected final FakeNetworkStack.Netns kernel() {
        return h.kernel(h.host());
    }

    /** The namespace of an attachment's container in the fake kernel. */
    protected final FakeNetworkStack.Netns container(Attachment a) {
        return h.kernel(NetnsRef.path(Path.of(a.netnsPath())));
    }
}
