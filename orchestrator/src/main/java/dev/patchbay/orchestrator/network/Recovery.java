package dev.patchbay.orchestrator.network;

import dev.patchbay.core.command.Json;
import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkFirewall;
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
    public record Report(List<String> recovered, List<String> detached, List<String> released, List<String> errors) {
    }

    public Report run(NetnsRef hostRef) {
        String hostId = NetnsIdentity.of(hostRef);
        List<String> recovered = new ArrayList<>();
        List<String> detached = new ArrayList<>();
        List<String> released = new ArrayList<>();
        ErrorCollector errors = new ErrorCollector();
        store.lockNetworks(() -> {
            for (String dir : List.of("journal", "networks", "attachments", "firewall")) {
                StateFiles.sweepTemp(store.root().resolve(dir));
            }
            for (Journal.Entry e : Journal.pending(store.root())) {
                if (!hostId.equals(e.hostNetns())) {
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
            for (NetworkRecord rec : store.networks()) {
                if (!rec.hostNetns().equals(hostId)) {
                    continue;
                }
                store.lockNetwork(rec.name(), () -> {
                    for (Attachment a : store.attachments(rec.name())) {
                        if (!Files.exists(Path.of(a.netnsPath()))) {
                            errors.run("detach \"" + a.containerId() + "\"", () -> atts.detachLocked(hostRef, rec, a.containerId()));
                            detached.add(rec.name() + "/" + a.containerId());
                        }
                    }
                    Set<dev.patchbay.core.ipam.Attachment> valid = store.attachments(rec.name()).stream()
                            .map(a -> new dev.patchbay.core.ipam.Attachment(a.containerId(), a.ifName())).collect(Collectors.toSet());
                    errors.run("free stale addresses of network \"" + rec.name() + "\"", () -> m.ipam()
                            .gc(Ipam.dataDir(store.root()), rec.name(), valid)
                            .forEach(ip -> released.add(rec.name() + "/" + dev.patchbay.core.model.IpAddresses.format(ip))));
                    return null;
                });
            }
            return null;
        });
        return new Report(recovered, detached, released, errors.errors().stream().map(Throwable::getMessage).toList());
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
                NetworkConfig config = rec.config();
                NetworkFirewall fw = m.firewall();
                for (int i = e.steps().size() - 1; i >= 0; i--) {
                    Journal.Step step = e.steps().get(i);
                    switch (step.kind()) {
                        case "rules" -> {
                            if (fw != null) {
                                errors.run("remove rules of \"" + e.containerId() + "\"", () -> fw.removeAttachment(store.root(), hostRef, config, e.containerId()));
                            }
                        }
                        case "link" -> errors.run("delete link \"" + step.data().get("hostIf") + "\"",
                                () -> m.host(hostRef, rec.hostNetns()).links().delete(LinkRef.name(step.data().get("hostIf"))));
                        case "ipam" -> errors.run("release the addresses of \"" + e.containerId() + "\"", () -> m.ipam()
                                .release(Ipam.dataDir(store.root()), e.network(), e.containerId(), new IfName(step.data().get("ifname"))));
                        default -> { }
                    }
                }
            }
            case "create" -> {
                if (rec != null) {
                    return; // completed
                }
                for (Journal.Step step : e.steps()) {
                    if (step.kind().equals("network")) {
                        NetworkConfig config = Json.compact().fromJson(step.data().get("config"), NetworkConfig.class);
                        NetworkFirewall fw = m.firewall();
                        if (fw != null) {
                            errors.run("remove the rules of network \"" + config.name() + "\"", () -> fw.removeNetwork(store.root(), hostRef, config));
                        }
                        errors.run("delete bridge \"" + config.bridge() + "\"",
                                () -> m.host(hostRef, e.hostNetns()).links().delete(LinkRef.name(config.bridge())));
                    }
                }
            }
            case "detach" -> {
                if (rec != null) {
                    errors.run("finish detaching \"" + e.containerId() + "\"",
                            () -> new Attachments(m, store).detachLocked(hostRef, rec, e.containerId()));
                }
            }
            case "remove" -> {
                if (rec != null) {
                    new Networks(m, store).tearDown(hostRef, rec, errors);
                }
            }
            default -> { }
        }
    }
}
