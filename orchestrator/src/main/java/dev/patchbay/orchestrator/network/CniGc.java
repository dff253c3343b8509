package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.Attachment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** CNI's GC of one network, under its lock. */
final class CniGc {
    private final NetworkManager m;
    private final NetworkStore store;
    private final Placement placement;
    private final Unplug unplug;

    CniGc(NetworkManager m, NetworkStore store, Placement placement, Unplug unplug) {
        this.m = m;
        this.store = store;
        this.placement = placement;
        this.unplug = unplug;
    }

    /**
     * CNI's GC: every attachment of the network that a CNI ADD made ({@link CniOrigin}) and that is outside
     * {@code valid} (container id and interface) is detached; attachments made otherwise are never touched; rules
     * of the network's attachments that no record or valid attachment owns are removed; reservations are freed by the
     * IPAM's evidence rules (a record without interface is kept when its container is valid; unreadable or live
     * addresses are kept). The state directory's own files stay. A detach that fails keeps its record, and so its
     * reservation; the errors are thrown after everything else was tried.
     */
    Attachments.GcReport gc(NetnsRef hostRef, String network, java.util.Set<dev.patchbay.core.ipam.Attachment> valid) {
        NetworkRecord rec = placement.owned(hostRef, network);
        Chain chain = m.chain(rec.config());
        return store.lockNetwork(network, () -> {
            ErrorCollector errors = new ErrorCollector();
            List<String> detached = new ArrayList<>();
            Map<String, CniOrigin> origins = store.origins(network);
            for (Attachment a : store.attachments(network)) {
                CniOrigin o = origins.get(a.containerId());
                if (o != null && !valid.contains(new dev.patchbay.core.ipam.Attachment(o.containerId(), o.ifName()))) {
                    errors.run("detach \"" + a.containerId() + "\"", () -> unplug.detachLocked(hostRef, rec, chain, a.containerId(), a.ifName()));
                    detached.add(a.containerId() + "/" + a.ifName());
                }
            }
            java.util.Set<dev.patchbay.core.ipam.Attachment> keep = new java.util.HashSet<>(valid);
            java.util.Set<dev.patchbay.core.firewall.RulesetOwner> owners = new java.util.HashSet<>();
            for (Attachment a : store.attachments(network)) {
                keep.add(new dev.patchbay.core.ipam.Attachment(a.containerId(), a.ifName()));
            }
            keep.forEach(k -> owners.add(Owners.attachment(network, k.ownerId())));
            List<String> rules = new ArrayList<>();
            errors.run("remove stale rules of network \"" + network + "\"", () -> {
                var fw = m.firewall.host(store.root(), hostRef);
                for (var owner : fw.rulesets().keySet()) {
                    if (Owners.isAttachmentOf(owner, network) && !owners.contains(owner)) {
                        fw.remove(owner);
                        rules.add(owner.id());
                    }
                }
            });
            List<String> freed = new ArrayList<>();
            List<String> kept = new ArrayList<>();
            errors.run("free stale addresses of network \"" + network + "\"", () -> {
                Ipam.GcResult gc = m.ipam().gc(Unplug.ipamDir(store.root(), rec.config()), network, keep, new Evidence(m.stack(), store));
                gc.freed().forEach(ip -> freed.add(IpAddresses.format(ip)));
                gc.kept().forEach(r -> kept.add(IpAddresses.format(r.address()) + ": "
                        + (r.readable() ? "held by an interface, though no attachment names it" : "its reservation " + r.problem())));
            });
            errors.throwIfAny("GC of network \"" + network + "\" left errors");
            return new Attachments.GcReport(detached, rules, freed, kept);
        });
    }
}
