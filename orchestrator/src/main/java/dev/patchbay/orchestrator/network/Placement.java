package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.NetnsId;
import dev.patchbay.core.model.NetnsRef;
import java.util.List;

/**
 * Where a network lives: its record, if it lives in the namespace a command runs in ({@link #owned}); a network whose
 * host namespace was made again is moved there and rebuilt first ({@link #adopt}). Every use case that acts on a
 * network asks here; it calls only {@link Reconcile}.
 */
final class Placement {
    private final NetworkManager m;
    private final NetworkStore store;
    private final Reconcile reconcile;

    Placement(NetworkManager manager, NetworkStore store, Reconcile reconcile) {
        this.m = manager;
        this.store = store;
        this.reconcile = reconcile;
    }

    /**
     * The network, if it lives in {@code hostRef}'s namespace; a clear error otherwise. A network whose namespace was
     * made again under its name (or the machine's own after a reboot) is adopted here and rebuilt first.
     */
    NetworkRecord owned(NetnsRef hostRef, String name) {
        return owned(hostRef, name, false);
    }

    /** {@code removing}: a network whose host namespace is gone is returned as it is (only its records are left). */
    NetworkRecord owned(NetnsRef hostRef, String name, boolean removing) {
        NetworkRecord rec = store.network(name).orElseThrow(() -> NotFoundException.of("network", name, null));
        HostNamespaces hosts = new HostNamespaces(m.stack(), hostRef);
        switch (hosts.where(rec)) {
            case HERE -> {
                return rec;
            }
            case REPLACED -> {
                return adopt(hosts, name, null, null);
            }
            case GONE -> {
                if (removing) {
                    return rec;
                }
                throw new PatchbayException("network \"" + name + "\" cannot be used: its host namespace (" + rec.hostDescription()
                        + ") is gone" + (hosts.rebooted(rec) ? " since the machine rebooted" : "") + ", and its bridge and rules with it; make "
                        + HostNamespaces.describePlace(HostNamespaces.place(rec)) + " again and run patchbay gc there to rebuild the"
                        + " network, or forget it with patchbay network rm --force " + name);
            }
            default -> {
                boolean same = rec.hostDescription() != null && rec.hostDescription().equals(hostRef.describe());
                throw new InvalidInputException("network", name, "lives in " + rec.hostDescription() + (same ? " of another process" : "")
                        + ", not in " + hostRef.describe() + (same ? " here" : "") + " (run patchbay there, or with -n)");
            }
        }
    }

    /**
     * Moves a network whose host namespace was made again (or rebooted) to the namespace that took its place, and
     * rebuilds it there (its host side, its rules; containers that went with the old namespace are detached, live ones
     * plugged in again). Takes the networks lock and the network's. {@code done} collects what was done, if not null,
     * and {@code detached} the attachments detached ({@code NETWORK/CONTAINER}).
     */
    NetworkRecord adopt(HostNamespaces hosts, String name, List<String> done, List<String> detached) {
        return store.lockNetworks(() -> store.lockNetwork(name, () -> {
            NetworkRecord rec = store.network(name).orElseThrow(() -> NotFoundException.of("network", name, null));
            if (hosts.where(rec) != HostNamespaces.Where.REPLACED) {
                return rec; // another process adopted it meanwhile
            }
            NetnsId here = hosts.here();
            for (NetworkRecord other : store.networks()) {
                if (!other.name().equals(name) && NetnsIdentity.same(other.hostNetns(), here)) {
                    for (IpPrefix mine : rec.config().subnets()) {
                        for (IpPrefix theirs : other.config().subnets()) {
                            if (theirs.overlaps(mine)) {
                                throw new PatchbayException("network \"" + name + "\" cannot be rebuilt in " + hosts.ref().describe()
                                        + ": its subnet " + mine + " overlaps " + theirs + " of network \"" + other.name() + "\" there");
                            }
                        }
                    }
                }
            }
            String old = rec.hostNetns();
            NetworkRecord moved = rec.movedTo(here.toString(), hosts.ref().describe(),
                    hosts.herePlace() != null ? hosts.herePlace() : rec.hostPlace());
            store.save(moved);
            m.firewall.forgetGone(store.root(), old, id -> Rebuild.owns(name, dev.patchbay.core.firewall.RulesetOwner.of(id)));
            List<String> did = reconcile.repair(hosts.ref(), moved, true, true, detached);
            if (done != null) {
                done.add("network \"" + name + "\": its host namespace (" + rec.hostDescription() + ") was made again: rebuilt there");
                done.addAll(did);
            }
            return moved;
        }));
    }
}
