package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.ipam.Allocation;
import dev.patchbay.core.ipam.AllocationRequest;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.ipam.IpamConfig;
import dev.patchbay.core.ipam.IpRange;
import dev.patchbay.core.ipam.RangeSet;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Use cases on attachments: attach, detach, publish, unpublish. An attach validates everything, then
 * takes its steps under the network's lock, each recorded in the journal first: addresses, links,
 * rules, the record. A failure undoes the steps taken, in reverse.
 */
public final class Attachments {
    private final NetworkManager m;
    private final NetworkStore store;

    Attachments(NetworkManager manager, NetworkStore store) {
        this.m = manager;
        this.store = store;
    }

    public Attachment attach(NetnsRef hostRef, AttachRequest request) {
        NetworkRecord rec = new Networks(m, store).owned(hostRef, request.network());
        NetworkConfig config = rec.config();
        Chain chain = m.chain(config);
        // the container namespace must exist, and not be the host's
        if (NetnsIdentity.same(rec.hostNetns(), m.stack().identity(request.container()))) {
            throw new InvalidInputException("container namespace", request.container(), "is the host namespace of network \"" + config.name() + "\"");
        }
        checkAddresses(config, request.addresses());
        if (!request.ports().isEmpty() && !chain.serves(NetworkPlugin.PORT_MAPPINGS)) {
            throw new InvalidInputException("publish", request.ports().get(0), "network \"" + config.name()
                    + "\" has no plugin that publishes ports (its chain: " + String.join(", ", chain.types()) + ")");
        }
        Ipam ipam = m.ipam();
        IpamConfig ipamConfig = ipamConfig(config);
        NetworkContext ctx = m.context(hostRef, rec.hostNetns(), config, chain);
        chain.validate(ctx, request);
        return store.lockNetwork(config.name(), () -> {
            if (store.attachment(config.name(), request.containerId()).isPresent()) {
                throw new AlreadyExistsException("\"" + request.containerId() + "\" is already attached to network \"" + config.name() + "\"");
            }
            Journal journal = Journal.begin(store.root(), "attach", config.name(), request.containerId(), rec.hostNetns(), List.of(
                    Journal.Step.of("ipam", Map.of("ifname", request.ifName().value())),
                    Journal.Step.of("chain", Map.of()),
                    Journal.Step.of("rules", Map.of())));
            ErrorCollector undo = new ErrorCollector();
            int done = 0; // 1: addresses allocated, 2: chain set up, 3: rules applied
            Attachment attachment = stub(config, request.containerId(), request.ifName());
            try {
                AllocationRequest ar = AllocationRequest.of(Ipam.dataDir(store.root()), config.name(), request.containerId(),
                        request.ifName(), ipamConfig).withRequested(request.addresses().toArray(InetAddress[]::new))
                        .withInUse(ip -> store.recorded(config.name(), ip)); // a reservation deleted under a live attachment
                Allocation allocation = ipam.allocate(ar);
                done = 1;
                List<IpPrefix> addresses = allocation.addresses().stream().map(Allocation.Address::address).toList();
                attachment = new Attachment(config.name(), request.containerId(), request.container().path().toString(),
                        request.ifName(), null, request.mac(), addresses, request.ports());
                attachment = chain.setUp(ctx, request, attachment);
                done = 2;
                List<Rule> rules = chain.attachmentRules(ctx, attachment);
                if (!rules.isEmpty()) {
                    done = 3;
                    m.firewall.host(store.root(), hostRef).apply(new Ruleset(Owners.attachment(config.name(), request.containerId()), rules));
                }
                store.save(attachment);
                journal.done();
                return attachment;
            } catch (RuntimeException e) {
                Attachment made = attachment;
                if (done >= 3) {
                    undo.run("remove the rules of \"" + request.containerId() + "\"",
                            () -> m.firewall.host(store.root(), hostRef).remove(Owners.attachment(config.name(), request.containerId())));
                }
                if (done >= 2) {
                    chain.tearDown(ctx, made, undo); // a failure inside the chain has undone the chain itself
                }
                if (done >= 1) {
                    undo.run("release the addresses of \"" + request.containerId() + "\"",
                            () -> ipam.release(Ipam.dataDir(store.root()), config.name(), request.containerId(), request.ifName()));
                }
                if (undo.isEmpty()) {
                    journal.done(); // fully undone; otherwise gc retries what is left
                }
                throw undo.attachTo(e);
            }
        });
    }

    /** Detaches {@code containerId}; idempotent: whatever is already gone is skipped. */
    public void detach(NetnsRef hostRef, String network, String containerId) {
        NetworkRecord rec = new Networks(m, store).owned(hostRef, network);
        Chain chain = m.chain(rec.config());
        store.lockNetwork(network, () -> {
            detachLocked(hostRef, rec, chain, containerId);
            return null;
        });
    }

    void detachLocked(NetnsRef hostRef, NetworkRecord rec, Chain chain, String containerId) {
        NetworkConfig config = rec.config();
        Attachment a = store.attachment(config.name(), containerId).orElse(stub(config, containerId, new IfName("eth0")));
        Journal journal = Journal.begin(store.root(), "detach", config.name(), containerId, rec.hostNetns(), List.of());
        ErrorCollector errors = new ErrorCollector();
        undo(hostRef, rec, chain, a, errors);
        if (errors.isEmpty()) {
            store.deleteAttachment(config.name(), containerId);
            journal.done();
        }
        errors.throwIfAny("failed to detach \"" + containerId + "\" from network \"" + config.name() + "\"");
    }

    /** Everything an attachment may have made, undone in reverse: rules, the chain, the addresses. Also recovery's undo. */
    void undo(NetnsRef hostRef, NetworkRecord rec, Chain chain, Attachment a, ErrorCollector errors) {
        NetworkConfig config = rec.config();
        errors.run("remove the rules of \"" + a.containerId() + "\"",
                () -> m.firewall.host(store.root(), hostRef).remove(Owners.attachment(config.name(), a.containerId())));
        chain.tearDown(m.context(hostRef, rec.hostNetns(), config, chain), a, errors);
        errors.run("release the addresses of \"" + a.containerId() + "\"",
                () -> m.ipam().release(Ipam.dataDir(store.root()), config.name(), a.containerId(), a.ifName()));
    }

    /** Adds ({@code add}) or removes published ports of an existing attachment. */
    public Attachment publish(NetnsRef hostRef, String network, String containerId, List<PortMapping> ports, boolean add) {
        NetworkRecord rec = new Networks(m, store).owned(hostRef, network);
        Chain chain = m.chain(rec.config());
        if (!chain.serves(NetworkPlugin.PORT_MAPPINGS)) {
            throw new InvalidInputException("publish", ports.isEmpty() ? "" : ports.get(0), "network \"" + network
                    + "\" has no plugin that publishes ports (its chain: " + String.join(", ", chain.types()) + ")");
        }
        return store.lockNetwork(network, () -> {
            Attachment a = store.attachment(network, containerId)
                    .orElseThrow(() -> NotFoundException.of("attachment", containerId, "network \"" + network + "\""));
            NetworkContext ctx = m.context(hostRef, rec.hostNetns(), rec.config(), chain);
            List<PortMapping> next = new ArrayList<>(a.ports());
            if (add) {
                for (PortMapping p : ports) {
                    if (!next.contains(p)) {
                        next.add(p);
                    }
                }
                chain.validate(ctx, new AttachRequest(network, containerId, NetnsRef.path(java.nio.file.Path.of(a.netnsPath())),
                        a.ifName(), List.of(), null, next));
            } else {
                for (PortMapping p : ports) {
                    if (!next.remove(p)) {
                        throw NotFoundException.of("published port", p, "attachment \"" + containerId + "\"");
                    }
                }
            }
            Attachment updated = a.withPorts(next);
            List<Rule> rules = chain.attachmentRules(ctx, updated);
            if (rules.isEmpty()) {
                m.firewall.host(store.root(), hostRef).remove(Owners.attachment(network, containerId));
            } else {
                m.firewall.host(store.root(), hostRef).apply(new Ruleset(Owners.attachment(network, containerId), rules));
            }
            store.save(updated);
            return updated;
        });
    }

    public List<Attachment> list(String network) {
        if (network != null) {
            return store.attachments(NetworkConfig.checkName(network));
        }
        List<Attachment> all = new ArrayList<>();
        store.networks().forEach(n -> all.addAll(store.attachments(n.name())));
        return all;
    }

    private static void checkAddresses(NetworkConfig config, List<InetAddress> addresses) {
        boolean v4 = false;
        boolean v6 = false;
        for (InetAddress a : addresses) {
            boolean isV4 = a.getAddress().length == 4;
            IpPrefix subnet = isV4 ? config.subnet() : config.subnet6();
            if (subnet == null || !subnet.contains(a)) {
                throw new InvalidInputException("ip", IpAddresses.format(a), "is not inside the network's subnet "
                        + (subnet == null ? "(the network has no IPv6 subnet)" : subnet));
            }
            if ((isV4 && v4) || (!isV4 && v6)) {
                throw new InvalidInputException("ip", IpAddresses.format(a), "at most one address per family");
            }
            v4 |= isV4;
            v6 |= !isV4;
        }
    }

    static IpamConfig ipamConfig(NetworkConfig config) {
        List<RangeSet> sets = new ArrayList<>();
        sets.add(RangeSet.of(new IpRange(config.subnet(), null, null, config.gateway())));
        if (config.subnet6() != null) {
            sets.add(RangeSet.of(new IpRange(config.subnet6(), null, null, config.gateway6())));
        }
        return new IpamConfig(sets, List.of(), List.of(), null);
    }

    /** An attachment record for undoing what may exist, when only the names are known. */
    static Attachment stub(NetworkConfig config, String containerId, IfName ifName) {
        return new Attachment(config.name(), containerId, "", ifName, null, null, List.of(), List.of());
    }
}
