package dev.patchbay.firewall.nftables;

import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.errors.UnavailableException;
import dev.patchbay.core.model.NetnsId;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetnsOps;
import dev.patchbay.core.spi.NetworkStack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * The part of a network stack the nftables backend uses, for the current namespace only (the ITs run in the
 * sandbox's own): its identity and work run in it. So the backend's tests need no other backend; a namespace other
 * than the current one is refused.
 */
final class CurrentNetnsStack implements NetworkStack {

    @Override
    public NetnsHandle open(NetnsRef netns) {
        throw new UnavailableException("the test stack has no namespace handles");
    }

    @Override
    public NetnsOps namespaces() {
        throw new UnavailableException("the test stack cannot manage namespaces");
    }

    @Override
    public <T> T callIn(NetnsRef netns, Callable<T> task) {
        current(netns);
        try {
            return task.call();
        } catch (PatchbayException e) {
            throw e;
        } catch (Exception e) {
            throw new BackendException(e.getMessage(), e);
        }
    }

    @Override
    public NetnsId identity(NetnsRef netns) {
        current(netns);
        try {
            Path ns = Path.of("/proc/self/ns/net");
            return new NetnsId(null, 0, ((Number) Files.getAttribute(ns, "unix:dev")).longValue(),
                    ((Number) Files.getAttribute(ns, "unix:ino")).longValue());
        } catch (IOException e) {
            throw new BackendException("cannot stat /proc/self/ns/net: " + e.getMessage(), e);
        }
    }

    private static void current(NetnsRef netns) {
        if (!(netns instanceof NetnsRef.Current)) {
            throw new UnavailableException("the test stack works in the current namespace only, not " + netns.describe());
        }
    }
}
