package dev.patchbay.cni;

import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import dev.patchbay.firewall.host.FirewallManager;
import dev.patchbay.orchestrator.network.Attachments;
import dev.patchbay.orchestrator.network.NetworkManager;
import dev.patchbay.orchestrator.network.Networks;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * What one call works with: the orchestrator's use cases on the call's state directory, the host namespace (the
 * caller's: the daemon serving a shim is its namespace's), a handle on it, and the notes to print on stderr.
 */
record CniContext(NetworkManager manager, FirewallManager firewall, Ipam ipam, Path stateDir, Supplier<NetnsHandle> hostHandle,
                  List<String> notes) {

    /** The host namespace's handle, opened on first use (a call failing before it needs none). */
    NetnsHandle host() {
        return hostHandle.get();
    }

    NetnsRef hostRef() {
        return NetnsRef.current();
    }

    NetworkStack stack() {
        return manager.stack();
    }

    Networks networks() {
        return manager.networks(stateDir);
    }

    Attachments attachments() {
        return manager.attachments(stateDir);
    }

    void note(String line) {
        notes.add(line);
    }
}
