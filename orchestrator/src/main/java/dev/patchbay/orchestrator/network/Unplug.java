package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import java.util.List;

/**
 * Unplugs one recorded attachment, under its network's lock: what it made undone in reverse, then its record
 * forgotten. The step a detach, a removal with {@code --force}, reconcile's detaching of containers that are gone,
 * CNI's GC and recovery share; it calls no other use case.
 */
final class Unplug {
    private final NetworkManager m;
    private final NetworkStore store;

    Unplug(NetworkManager manager, NetworkStore store) {
        this.m = manager;
        this.store = store;
    }

    void detachLocked(NetnsRef hostRef, NetworkRecord rec, Chain chain, String containerId) {
        detachLocked(hostRef, rec, chain, containerId, new IfName("eth0"));
    }

    void detachLocked(NetnsRef hostRef, NetworkRecord rec, Chain chain, String containerId, IfName ifName) {
        NetworkConfig config = rec.config();
        Attachment a = store.attachment(config.name(), containerId).orElse(stub(config, containerId, ifName));
        Journal journal = Journal.begin(store.root(), "detach", config.name(), containerId, rec.hostNetns(), List.of());
        ErrorCollector errors = new ErrorCollector();
        undo(hostRef, rec, chain, a, errors);
        if (errors.isEmpty()) {
            store.deleteAttachment(config.name(), containerId); // the commit point: the detach has happened
            Posted.detached(config.name(), containerId);
            journal.doneIfPossible(); // an entry left (a full disk) finds nothing to finish: gc forgets it
        }
        try {
            errors.throwIfAny("failed to detach \"" + containerId + "\" from network \"" + config.name() + "\"");
        } catch (PatchbayException e) { // its journal entry stays open: what is left undone is gc's
            throw new PatchbayException(e.getMessage() + "; patchbay gc finishes the detach", e);
        }
    }

    /**
     * Everything an attachment may have made, undone in reverse: rules, the chain, the addresses; the addresses stay
     * reserved while a rule or a link that may name them could not be undone (a rule recorded is applied again by the
     * next firewall change). Also recovery's undo.
     */
    void undo(NetnsRef hostRef, NetworkRecord rec, Chain chain, Attachment a, ErrorCollector errors) {
        NetworkConfig config = rec.config();
        int before = errors.errors().size();
        errors.run("remove the rules of \"" + a.containerId() + "\"",
                () -> m.firewall.host(store.root(), hostRef).remove(Owners.attachment(config.name(), a.containerId())));
        chain.tearDown(m.context(hostRef, rec.hostNetns(), config, chain), a, errors);
        if (errors.errors().size() > before) {
            return;
        }
        errors.run("release the addresses of \"" + a.containerId() + "\"",
                () -> m.ipam().release(ipamDir(store.root(), config), config.name(), a.containerId(), a.ifName()));
    }

    /** Where a network's addresses are kept: its {@value NetworkManager#IPAM_DIR} option, else the state directory's {@code ipam/}. */
    static java.nio.file.Path ipamDir(java.nio.file.Path stateDir, NetworkConfig config) {
        String dir = config.options().get(NetworkManager.IPAM_DIR);
        return dir == null ? Ipam.dataDir(stateDir) : java.nio.file.Path.of(dir);
    }

    /** An attachment record for undoing what may exist, when only the names are known. */
    static Attachment stub(NetworkConfig config, String containerId, IfName ifName) {
        return new Attachment(config.name(), containerId, "", ifName, null, null, List.of(), List.of());
    }
}
