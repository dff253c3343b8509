package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.NetnsId;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code patchbay gc}: after a crash, finishes or undoes what the journal says was in flight; detaches
 * containers whose namespace is gone; frees addresses no attachment holds. Acts only on networks of
 * the namespace it runs in; when in doubt, it keeps.
 */
public final class Recovery {
    private final NetworkManager m;
    private final NetworkStore store;

    Recovery(NetworkManager manager, NetworkStore store) {
        this.m = manager;
        this.store = store;
    }

    /** What one gc run did. */
    public record Report(List<String> recovered, List<String> detached, List<String> released, List<String> kept, List<String> errors) {
    }

    public Report run(NetnsRef hostRef) {
        NetnsId hostId = m.stack().identity(hostRef);
        List<String> recovered = new ArrayList<>();
        List<String> detached = new ArrayList<>();
        List<String> released = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        ErrorCollector errors = new ErrorCollector();
        store.lockNetworks(() -> {
            for (String dir : List.of("journal", "networks", "attachments", "firewall")) {
                StateFiles.sweepTemp(store.root().resolve(dir));
            }
            for (Journal.Entry e : Journal.pending(store.root())) {
                if (!NetnsIdentity.same(e.hostNetns(), hostId)) {
                    continue;
                }
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
                mine.errors().forEach(x -> errors.run("recover " + e.id(), () -> {
                    throw x;
                }));
            }
            Attachments atts = new Attachments(m, store);
            Evidence evidence = new Evidence(m.stack(), store);
            for (NetworkRecord rec : store.networks()) {
                if (!NetnsIdentity.same(rec.hostNetns(), hostId)) {
                    continue;
                }
                store.lockNetwork(rec.name(), () -> {
                    for (Attachment a : store.attachments(rec.name())) {
                        if (!Files.exists(Path.of(a.netnsPath()))) {
                            errors.run("detach \"" + a.containerId() + "\"", () -> atts.detachLocked(hostRef, rec, m.chain(rec.config()), a.containerId()));
                            detached.add(rec.name() + "/" + a.containerId());
                        }
                    }
                    Set<dev.patchbay.core.ipam.Attachment> valid = store.attachments(rec.name()).stream()
                            .map(a -> new dev.patchbay.core.ipam.Attachment(a.containerId(), a.ifName())).collect(Collectors.toSet());
                    errors.run("free stale addresses of network \"" + rec.name() + "\"", () -> {
                        Ipam.GcResult gc = m.ipam().gc(Ipam.dataDir(store.root()), rec.name(), valid, evidence);
                        gc.freed().forEach(ip -> released.add(rec.name() + "/" + IpAddresses.format(ip)));
                        gc.kept().forEach(r -> kept.add(rec.name() + "/" + IpAddresses.format(r.address()) + ": "
                                + (r.readable() ? "held by an interface, though no attachment names it" : "its reservation " + r.problem())));
                    });
                    return null;
                });
            }
            return null;
        });
        return new Report(recovered, detached, released, kept, errors.errors().stream().map(Throwable::getMessage).toList());
    }

    private void replay(NetnsRef hostRef, Journal.Entry e, ErrorCollector errors) {
        NetworkRecord rec = store.network(e.network()).orElse(null);
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
                    if (step.kind().equals("ipam")) {
                        ifname = step.data().get("ifname");
                    } else if (step.kind().equals("link")) { // entries of earlier releases name the host link
                        errors.run("delete link \"" + step.data().get("hostIf") + "\"", () -> m.context(hostRef, rec.hostNetns(),
                                rec.config(), m.chain(rec.config())).host().links().delete(LinkRef.name(step.data().get("hostIf"))));
                    }
                }
                Attachment stub = Attachments.stub(rec.config(), e.containerId(), new IfName(ifname));
                errors.run("undo attaching \"" + e.containerId() + "\"", () -> new Attachments(m, store).undo(hostRef, rec, m.chain(rec.config()), stub, errors));
            }
            case "create" -> {
                if (rec != null) {
                    return; // completed
                }
                for (Journal.Step step : e.steps()) {
                    if (step.kind().equals("network")) {
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
                            () -> new Attachments(m, store).detachLocked(hostRef, rec, m.chain(rec.config()), e.containerId()));
                }
            }
            case "remove" -> {
                if (rec != null) {
                    errors.run("finish removing network \"" + rec.name() + "\"",
                            () -> new Networks(m, store).tearDown(hostRef, rec, m.chain(rec.config()), errors));
                }
            }
            default -> { }
        }
    }
}
