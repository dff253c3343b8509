package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.ipam.AllocationRecord;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.Attachment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Attachments the kernel shows while their record is lost (the last line of an attachment log torn): a readable
 * reservation whose owner has no record, each of whose addresses the reservation's interface holds in one container
 * namespace, is recorded again from the kernel: that namespace, interface, MAC and addresses. Its published ports are
 * not known: the message says so. Anything less certain stays as it is: the addresses kept, the reservation reported.
 */
final class Orphans {
    private Orphans() {
    }

    /** Records the network's orphans again, under its lock; returns what was done, in words. */
    static List<String> adopt(NetworkManager m, NetworkStore store, NetworkRecord rec, Evidence evidence) {
        String name = rec.name();
        Map<String, List<AllocationRecord>> byOwner = new LinkedHashMap<>();
        for (AllocationRecord r : m.ipam().list(Attachments.ipamDir(store.root(), rec.config()), name)) {
            if (r.readable() && r.ifName() != null && store.attachment(name, r.ownerId()).isEmpty()) {
                byOwner.computeIfAbsent(r.ownerId(), k -> new ArrayList<>()).add(r);
            }
        }
        List<String> done = new ArrayList<>();
        for (Map.Entry<String, List<AllocationRecord>> owner : byOwner.entrySet()) {
            Evidence.Holder first = null;
            List<IpPrefix> addresses = new ArrayList<>();
            for (AllocationRecord r : owner.getValue()) {
                Evidence.Holder h = evidence.holder(r.address());
                if (h == null || !h.ifName().equals(r.ifName()) || (first != null && !first.netns().equals(h.netns()))) {
                    first = null;
                    break;
                }
                first = first == null ? h : first;
                addresses.add(h.address());
            }
            if (first == null) {
                continue;
            }
            dev.patchbay.core.model.NetnsId netnsId;
            try {
                netnsId = m.stack().identity(NetnsRef.path(first.netns()));
            } catch (PatchbayException gone) {
                continue;
            }
            if (NetnsIdentity.same(rec.hostNetns(), netnsId)) {
                continue; // the network's own host namespace holds it: no container of this network
            }
            store.save(new Attachment(name, owner.getKey(), first.netns().toString(), new IfName(first.ifName()), null, first.mac(),
                    addresses, List.of()), netnsId.toString());
            done.add("network \"" + name + "\": recorded \"" + owner.getKey() + "\" again from the kernel (" + first.ifName() + " "
                    + addresses + " in " + first.netns() + "), its record was lost; its published ports, if it had any, are not"
                    + " known: publish them again");
        }
        return done;
    }
}
