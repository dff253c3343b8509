package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.NetnsId;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.firewall.host.FirewallHost;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code patchbay gc}: after a crash, finishes or undoes what the journal says was in flight; then reconciles every
 * network of the namespace it runs in with the kernel ({@link Reconcile}: what is missing is made again, containers
 * whose namespace is gone are detached, rules no record explains are removed); frees addresses no attachment holds.
 * A network whose host namespace was made again (or rebooted) is rebuilt here; one whose namespace is gone for good
 * (this boot) is forgotten. Lines of the journal that cannot be used are removed (the reconcile finds what they were
 * doing). Damage in a network's record, its attachment log or the firewall record is reported; with {@code repair}
 * ({@code gc --repair}) it is rebuilt from the kernel and the other records. When in doubt, it keeps.
 */
public final class Recovery {
    private final NetworkManager m;
    private final NetworkStore store;
    private final Networks networks;
    private final Steps steps;

    Recovery(NetworkManager manager, NetworkStore store, Networks networks, Steps steps) {
        this.m = manager;
        this.store = store;
        this.networks = networks;
        this.steps = steps;
    }

    /**
     * What one gc run did: operations recovered, attachments detached, addresses released and kept, what was repaired
     * or rebuilt, networks removed (their namespace gone), damage left for {@code gc --repair}, errors.
     */
    public record Report(List<String> recovered, List<String> detached, List<String> released, List<String> kept,
                         List<String> repaired, List<String> removed, List<String> damaged, List<String> errors) {
    }

    public Report run(NetnsRef hostRef) {
        return run(hostRef, false);
    }

    public Report run(NetnsRef hostRef, boolean repairDamage) {
        GcRun run = new GcRun(hostRef, repairDamage);
        store.lockNetworks(() -> {
            run.all();
            return null;
        });
        return run.report();
    }

    /** One gc run in one namespace: its steps in order, and what they found and did, collected as they go. */
    private final class GcRun {
        private final NetnsRef hostRef;
        private final boolean repairDamage;
        private final HostNamespaces hosts;
        private final NetnsId hostId;
        private final List<String> recovered = new ArrayList<>();
        private final List<String> detached = new ArrayList<>();
        private final List<String> released = new ArrayList<>();
        private final List<String> kept = new ArrayList<>();
        private final List<String> repaired = new ArrayList<>();
        private final List<String> removed = new ArrayList<>();
        private final List<String> damaged = new ArrayList<>();
        private final ErrorCollector errors = new ErrorCollector();

        GcRun(NetnsRef hostRef, boolean repairDamage) {
            this.hostRef = hostRef;
            this.repairDamage = repairDamage;
            this.hosts = new HostNamespaces(m.stack(), hostRef);
            this.hostId = hosts.here();
        }

        Report report() {
            return new Report(recovered, detached, released, kept, repaired, removed, damaged,
                    errors.errors().stream().map(Throwable::getMessage).toList());
        }

        void all() {
            Upgrade.refuseNewer(store.root()); // before anything changes: a newer Patchbay's state is not this one's to touch
            for (String dir : List.of("journal", "networks", "attachments", "firewall")) {
                StateFiles.sweepTemp(store.root().resolve(dir));
            }
            errors.run("upgrade the state files", () -> {
                List<Path> up = Upgrade.run(store, kept);
                if (!up.isEmpty()) {
                    repaired.add("upgraded to state format " + dev.patchbay.state.StateFormat.CURRENT + " (written before"
                            + " formats were recorded): " + up.stream().map(Path::toString).collect(Collectors.joining(", ")));
                }
            });
            firewallRecord();
            store.damaged().forEach(this::damagedRecord);
            Journal.damage(store.root()).forEach(this::damagedJournal);
            store.networks().forEach(this::place);
            for (Journal.Entry e : Journal.pending(store.root())) {
                if (mine(hosts, e)) {
                    replayed(e);
                }
            }
            Evidence evidence = new Evidence(m.stack(), store);
            Reconcile reconcile = steps.reconcile();
            for (NetworkRecord rec : store.networks()) {
                if (NetnsIdentity.same(rec.hostNetns(), hostId)) {
                    errors.run("check network \"" + rec.name() + "\"", () -> store.lockNetwork(rec.name(), () -> {
                        check(rec, reconcile, evidence);
                        return null;
                    }));
                }
            }
            errors.run("delete the links a daemon left unplugged", () -> { // a killed daemon's background deletions
                List<String> gone = PendingLinks.sweep(m.stack(), hostRef);
                if (!gone.isEmpty()) {
                    repaired.add("deleted " + gone.size() + " link(s) a daemon had unplugged for deletion: " + String.join(", ", gone));
                }
            });
        }

        /** A network record that cannot be read: reported, or rebuilt from the kernel and the other records. */
        private void damagedRecord(DamagedNetworkException d) {
            if (!repairDamage) {
                damaged.add("network \"" + d.network() + "\": its record \"" + d.file() + "\" " + d.problem() + " (gc --repair rebuilds it)");
                return;
            }
            errors.run("rebuild network \"" + d.network() + "\"", () -> store.lockNetwork(d.network(), () -> {
                Rebuild.Result r = steps.rebuild().of(hostRef, d.network());
                Path copy = store.keepDamaged(d.network());
                store.save(new NetworkRecord(r.config(), hostId.toString(), hostRef.describe(), hosts.herePlace(), null));
                repaired.add("rebuilt network \"" + d.network() + "\" (its record " + d.problem() + "; kept as " + copy + "): "
                        + String.join("; ", r.sources()));
                return null;
            }));
        }

        private void damagedJournal(String network, List<String> problems) {
            errors.run("repair the journal of network \"" + network + "\"", () -> store.lockNetwork(network, () -> {
                Path copy = Journal.repair(store.root(), network);
                repaired.add("journal of network \"" + network + "\": removed what could not be used (" + String.join("; ", problems)
                        + ")" + (copy == null ? "" : "; kept as " + copy));
                return null;
            }));
        }

        /** A network whose host namespace was made again is rebuilt here; one whose namespace is gone for good, forgotten. */
        private void place(NetworkRecord rec) {
            HostNamespaces.Where where = hosts.where(rec);
            if (where == HostNamespaces.Where.REPLACED) {
                errors.run("rebuild network \"" + rec.name() + "\"", () -> steps.placement().adopt(hosts, rec.name(), repaired, detached));
            } else if (where == HostNamespaces.Where.GONE && !hosts.rebooted(rec)) {
                errors.run("forget network \"" + rec.name() + "\"", () -> store.lockNetwork(rec.name(), () -> {
                    ErrorCollector mine = new ErrorCollector();
                    networks.forgetGone(rec, mine);
                    mine.throwIfAny("failed to forget network \"" + rec.name() + "\"");
                    removed.add("network \"" + rec.name() + "\" (its host namespace, " + rec.hostDescription() + ", is gone)");
                    return null;
                }));
            } else if (where == HostNamespaces.Where.GONE) {
                kept.add("network \"" + rec.name() + "\": its host namespace (" + rec.hostDescription() + ") does not exist since the"
                        + " reboot; gc run where it is made again rebuilds it, network rm --force forgets it");
            }
        }

        /** An operation a process that died left in the journal: finished or undone, then forgotten. */
        private void replayed(Journal.Entry e) {
            ErrorCollector mine = new ErrorCollector();
            boolean replayed = store.lockNetwork(e.network(), () -> {
                // The entry was listed before this lock was ours: an operation still running then has
                // finished meanwhile and deleted its entry (a later detach-then-attach of the same
                // container must not be undone). Attach and detach write and delete their entry under
                // this lock, so an entry still here now belongs to a process that died.
                if (!Journal.exists(store.root(), e)) {
                    return false;
                }
                replay(hostRef, e, mine);
                if (mine.isEmpty()) {
                    Journal.forget(store.root(), e);
                }
                return true;
            });
            if (replayed && mine.isEmpty()) {
                recovered.add(e.op() + " " + e.network() + (e.containerId() == null ? "" : "/" + e.containerId()));
            }
            mine.errors().forEach(x -> errors.run("recover " + e.op() + " of network \"" + e.network() + "\"", () -> {
                throw x;
            }));
        }

        /** One network of this namespace, under its lock: its attachment log, the kernel, the rules, the addresses. */
        private void check(NetworkRecord rec, Reconcile reconcile, Evidence evidence) {
            String name = rec.name();
            List<String> damage = store.attachmentDamage(name);
            if (!damage.isEmpty()) {
                if (!repairDamage) {
                    // lost lines may be live attachments: nothing of the network is detached or freed until it is repaired
                    damaged.add("attachments of network \"" + name + "\": " + String.join("; ", damage) + " (gc --repair rewrites it from"
                            + " its readable lines; addresses stay reserved)");
                    return;
                }
                Path copy = store.repairAttachments(name);
                repaired.add("attachments of network \"" + name + "\": rewritten from its readable lines (" + String.join("; ", damage)
                        + "); kept as " + copy);
            }
            repaired.addAll(Orphans.adopt(m, store, hostRef, rec, evidence)); // before the rules and addresses no record explains go
            repaired.addAll(reconcile.repair(hostRef, rec, true, true, detached));
            // rules the kernel holds for the network that no record explains (an attach that died, a record lost)
            Set<String> wanted = new HashSet<>();
            wanted.add(Owners.network(name).id());
            store.attachments(name).forEach(a -> wanted.add(Owners.attachment(name, a.containerId()).id()));
            FirewallHost fw = m.firewall.host(store.root(), hostRef);
            Set<String> stale = fw.present().stream().map(o -> o.id()).filter(id -> Rebuild.owns(name, dev.patchbay.core.firewall.RulesetOwner.of(id))
                    && !wanted.contains(id)).collect(Collectors.toSet());
            if (!stale.isEmpty()) {
                fw.removeOwners(stale::contains);
                repaired.add("network \"" + name + "\": removed the rules of " + stale.size() + " owner(s) no attachment has");
            }
            Set<dev.patchbay.core.ipam.Attachment> valid = store.attachments(name).stream()
                    .map(a -> new dev.patchbay.core.ipam.Attachment(a.containerId(), a.ifName())).collect(Collectors.toSet());
            Ipam.GcResult gc = m.ipam().gc(Unplug.ipamDir(store.root(), rec.config()), name, valid, evidence);
            gc.freed().forEach(ip -> released.add(name + "/" + IpAddresses.format(ip)));
            gc.kept().forEach(r -> kept.add(name + "/" + IpAddresses.format(r.address()) + ": "
                    + (r.readable() ? "held by an interface, though no attachment names it" : "its reservation " + r.problem())));
        }

        /** The firewall record of this namespace: damage reported, or rewritten from its readable lines ({@code repair}). */
        private void firewallRecord() {
            errors.run("check the firewall record", () -> {
                FirewallHost fw = m.firewall.host(store.root(), hostRef);
                List<String> damage = fw.damage();
                if (damage.isEmpty()) {
                    return;
                }
                if (!repairDamage) {
                    damaged.add(String.join("; ", damage) + " (gc --repair rebuilds it from the network and attachment records)");
                    return;
                }
                Path copy = fw.repairRecord();
                repaired.add("firewall record: rewritten from its readable lines (" + String.join("; ", damage) + "); kept as " + copy
                        + "; each network's and attachment's rules are applied again from their records");
            });
        }
    }

    /**
     * The daemon's look after the kernel's events: for each network of {@code hostRef}'s namespace, one lookup of its
     * host interface; a network is repaired (under its lock) when that is gone or down, when its interface lost an
     * address ({@code lostAddress}: names of links that did), or when a link of a recorded attachment was deleted
     * ({@code deletedLinks}). Returns what was done, in words.
     */
    public List<String> watch(NetnsRef hostRef, Set<String> deletedLinks, Set<String> lostAddress) {
        NetnsId here = m.stack().identity(hostRef);
        Reconcile reconcile = steps.reconcile();
        List<String> done = new ArrayList<>();
        for (NetworkRecord rec : store.networks()) {
            if (!NetnsIdentity.same(rec.hostNetns(), here)) {
                continue;
            }
            try {
                Chain chain = m.chain(rec.config());
                var ctx = m.context(hostRef, rec.hostNetns(), rec.config(), chain);
                IfName hi = ctx.hostInterface();
                boolean look = false;
                if (hi != null) {
                    var link = ctx.host().links().find(LinkRef.name(hi));
                    look = link.isEmpty() || !link.get().up() || lostAddress.contains(hi.value());
                }
                if (!look && !deletedLinks.isEmpty()) {
                    look = store.namesHostLink(rec.name(), deletedLinks);
                }
                if (look) {
                    done.addAll(store.lockNetwork(rec.name(), () -> reconcile.repair(hostRef, rec, false, false, null)));
                }
            } catch (RuntimeException e) {
                done.add("network \"" + rec.name() + "\": " + e.getMessage());
            }
        }
        return done;
    }

    /**
     * Whether gc run here replays the entry: it names this namespace, or a namespace that is gone while its network now
     * lives here (adopted) or is gone too (nothing of it is left in a kernel: the entry is replayed to free its addresses).
     */
    private boolean mine(HostNamespaces hosts, Journal.Entry e) {
        if (NetnsIdentity.same(e.hostNetns(), hosts.here())) {
            return true;
        }
        if (hosts.alive(e.hostNetns())) {
            return false;
        }
        try {
            NetworkRecord rec = store.network(e.network()).orElse(null);
            return rec != null && NetnsIdentity.same(rec.hostNetns(), hosts.here());
        } catch (PatchbayException damaged) {
            return false;
        }
    }

    private void replay(NetnsRef hostRef, Journal.Entry e, ErrorCollector errors) {
        NetworkRecord rec;
        try {
            rec = store.network(e.network()).orElse(null);
        } catch (DamagedNetworkException d) {
            errors.run("recover " + e.op() + " of network \"" + e.network() + "\"", () -> {
                throw d;
            });
            return;
        }
        switch (e.op()) {
            case "attach" -> {
                if (rec == null) {
                    return; // the network is gone, and with it what the attach made
                }
                if (store.attachment(e.network(), e.containerId()).isPresent()) {
                    return; // it completed: only the journal entry was left
                }
                String ifname = "eth0";
                for (Journal.Step step : e.steps()) {
                    if (step.kind().equals("ipam") && step.data().get("ifname") != null) {
                        ifname = step.data().get("ifname");
                    } else if (step.kind().equals("link") && step.data().get("hostIf") != null) { // entries of earlier releases name the host link
                        errors.run("delete link \"" + step.data().get("hostIf") + "\"", () -> m.context(hostRef, rec.hostNetns(),
                                rec.config(), m.chain(rec.config())).host().links().delete(LinkRef.name(step.data().get("hostIf"))));
                    }
                }
                Attachment stub = Unplug.stub(rec.config(), e.containerId(), new IfName(ifname));
                errors.run("undo attaching \"" + e.containerId() + "\"", () -> steps.unplug().undo(hostRef, rec, m.chain(rec.config()), stub, errors));
            }
            case "create" -> {
                if (rec != null) {
                    return; // completed
                }
                for (Journal.Step step : e.steps()) {
                    if (step.kind().equals("network") && step.data().get("config") != null) {
                        NetworkConfig config = NetworkStore.config(step.data().get("config"));
                        errors.run("remove the rules of network \"" + config.name() + "\"",
                                () -> m.firewall.host(store.root(), hostRef).remove(Owners.network(config.name())));
                        errors.run("tear down network \"" + config.name() + "\"", () -> {
                            Chain chain = m.chain(config);
                            chain.tearDownNetwork(m.context(hostRef, e.hostNetns(), config, chain), errors);
                        });
                    }
                }
            }
            case "detach" -> {
                if (rec != null) {
                    errors.run("finish detaching \"" + e.containerId() + "\"",
                            () -> steps.unplug().detachLocked(hostRef, rec, m.chain(rec.config()), e.containerId()));
                }
            }
            case "remove" -> {
                if (rec != null) {
                    errors.run("finish removing network \"" + rec.name() + "\"",
                            () -> networks.tearDown(hostRef, rec, m.chain(rec.config()), errors));
                }
            }
            default -> { }
        }
    }
}
