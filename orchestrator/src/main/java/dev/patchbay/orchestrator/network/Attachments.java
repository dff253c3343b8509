package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.ipam.Allocation;
import dev.patchbay.core.ipam.AllocationRequest;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.ipam.IpamConfig;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import dev.patchbay.core.spi.NetworkStack;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.firewall.host.FirewallHost;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Use cases on attachments: attach, detach, publish, unpublish. An attach validates everything, then
 * takes its steps under the network's lock, each recorded in the journal first: addresses, links,
 * rules, the record. A failure undoes the steps taken, in reverse. The record is the commit point: once it is
 * written the attach has happened, even if closing its journal entry then fails (a full disk: gc finds the record and
 * forgets the entry); a failure before it undoes every step, and what the undo cannot write is left to gc by the
 * entry kept.
 */
public final class Attachments {
    private final NetworkManager m;
    private final NetworkStore store;
    private final Steps steps;
    private final CniGc cniGc;

    Attachments(NetworkManager manager, NetworkStore store, Steps steps, CniGc cniGc) {
        this.m = manager;
        this.store = store;
        this.steps = steps;
        this.cniGc = cniGc;
    }

    public Attachment attach(NetnsRef hostRef, AttachRequest request) {
        return attach(hostRef, request, false);
    }

    /**
     * Attaches; with {@code nextFreeIfName} the container's interface is the first {@code ethN} its namespace does
     * not have (the request's is ignored), chosen before anything changes (a detached pair still waiting for its
     * deletion in the host namespace deleted first). The container's namespace is opened once
     * for the whole attach ({@link RequestStack}).
     */
    public Attachment attach(NetnsRef hostRef, AttachRequest request, boolean nextFreeIfName) {
        try (RequestStack stack = new RequestStack(m.stack())) {
            AttachRequest r = !nextFreeIfName ? request : new AttachRequest(request.network(), request.containerId(),
                    request.container(), AttachInputs.nextFreeIfName(stack, hostRef, request.container()), request.addresses(), request.mac(),
                    request.ports(), request.defaultRoute(), request.options());
            return attach(hostRef, r, stack, null);
        }
    }

    /**
     * A CNI ADD's attach: the record carries {@code origin} (the request's container id is its {@link CniOrigin#key()}),
     * so that CNI's DEL and GC act on it, and on nothing the CLI made.
     */
    public Attachment attach(NetnsRef hostRef, AttachRequest request, CniOrigin origin) {
        if (!origin.key().equals(request.containerId())) {
            throw new IllegalArgumentException("the request's container id is not the origin's key");
        }
        try (RequestStack stack = new RequestStack(m.stack())) {
            return attach(hostRef, request, stack, origin);
        }
    }

    private Attachment attach(NetnsRef hostRef, AttachRequest request, NetworkStack stack, CniOrigin origin) {
        NetworkRecord rec = steps.placement().owned(hostRef, request.network());
        NetworkConfig config = rec.config();
        Chain chain = m.chain(config);
        // the container namespace must exist, and not be the host's; its identity is recorded (a namespace made again
        // under the same name later is another container)
        dev.patchbay.core.model.NetnsId containerNs = m.stack().identity(request.container());
        if (NetnsIdentity.same(rec.hostNetns(), containerNs)) {
            throw new InvalidInputException("container namespace", request.container(), "is the host namespace of network \"" + config.name() + "\"");
        }
        AttachInputs.checkAddresses(config, request.addresses());
        m.checkAttachOptions(config, request.options());
        Macs.checkUsable(request.mac());
        if (!request.ports().isEmpty() && !chain.serves(NetworkPlugin.PORT_MAPPINGS)) {
            throw new InvalidInputException("publish", request.ports().get(0), "network \"" + config.name()
                    + "\" has no plugin that publishes ports (its chain: " + String.join(", ", chain.types()) + ")");
        }
        Ipam ipam = m.ipam();
        IpamConfig ipamConfig = AttachInputs.ipamConfig(config);
        NetworkContext shared = m.context(hostRef, rec.hostNetns(), config, chain);
        NetworkContext ctx = new NetworkContext(shared.host(), stack, config, shared.hostInterface());
        chain.validate(ctx, request);
        HostPorts.check(m.stack(), hostRef, ctx.host(), request.ports());
        return store.lockNetwork(config.name(), () -> {
            steps.reconcile().ensureCheap(hostRef, rec, chain, ctx); // one lookup: the bridge is there (else made again)
            if (store.attachment(config.name(), request.containerId()).isPresent()) {
                throw new AlreadyExistsException("\"" + request.containerId() + "\" is already attached to network \"" + config.name() + "\"");
            }
            if (request.mac() != null) { // every record read only to compare a MAC: none asked, none read
                Macs.checkFree(store.attachments(config.name()), ctx, request.mac());
            }
            Journal journal = Journal.begin(store.root(), "attach", config.name(), request.containerId(), rec.hostNetns(), List.of(
                    Journal.Step.of("ipam", Map.of("ifname", request.ifName().value())),
                    Journal.Step.of("chain", Map.of()),
                    Journal.Step.of("rules", Map.of())));
            Undo undo = new Undo();
            Attachment attachment;
            try {
                AllocationRequest ar = AllocationRequest.of(Unplug.ipamDir(store.root(), config), config.name(), request.containerId(),
                        request.ifName(), ipamConfig).withRequested(request.addresses().toArray(InetAddress[]::new))
                        .withInUse(ip -> store.recorded(config.name(), ip)); // a reservation deleted under a live attachment
                Allocation allocation = ipam.allocate(ar);
                undo.pushRelease("release the addresses of \"" + request.containerId() + "\"",
                        () -> ipam.release(Unplug.ipamDir(store.root(), config), config.name(), request.containerId(), request.ifName()));
                List<IpPrefix> addresses = allocation.addresses().stream().map(Allocation.Address::address).toList();
                Attachment made = chain.setUp(ctx, request, new Attachment(config.name(), request.containerId(),
                        request.container().path().toString(), request.ifName(), null, request.mac(), addresses, request.ports(), request.options()));
                undo.pushTeardown(errors -> chain.tearDown(ctx, made, errors)); // a failure inside the chain has undone the chain itself
                List<Rule> rules = chain.attachmentRules(ctx, made);
                if (!rules.isEmpty()) {
                    FirewallHost fw = m.firewall.host(store.root(), hostRef);
                    undo.push("remove the rules of \"" + request.containerId() + "\"", () -> fw.remove(Owners.attachment(config.name(), request.containerId())));
                    fw.apply(new Ruleset(Owners.attachment(config.name(), request.containerId()), rules));
                }
                store.save(made, containerNs.toString(), origin); // the commit point: a recorded attach has happened
                attachment = made;
                Posted.attached(made);
            } catch (RuntimeException e) {
                List<Throwable> left = undo.run(e);
                if (left.isEmpty()) {
                    journal.doneIfPossible(); // fully undone
                    throw e;
                }
                throw undo.attachTo(PartlyUndone.of(e, left)); // the entry stays: gc finishes the undo
            }
            journal.doneIfPossible(); // the attach stands: an entry left (a full disk) names a recorded attach, which gc keeps
            return attachment;
        });
    }

    /**
     * The attachment's rules as one ruleset of its owner; none: the owner removed. {@code restore}: if the firewall's
     * record of a removal is refused (a full disk), the kernel gets the recorded rules back, as for an unpublish, whose
     * attachment record still says published; not for a put-back after the attachment's record was refused, where the
     * kernel follows that record.
     */
    private void applyRules(NetnsRef hostRef, List<Rule> rules, String network, String containerId, boolean restore) {
        FirewallHost fw = m.firewall.host(store.root(), hostRef);
        if (rules.isEmpty() && restore) {
            fw.removeOrRestore(Owners.attachment(network, containerId));
        } else if (rules.isEmpty()) {
            fw.remove(Owners.attachment(network, containerId));
        } else {
            fw.apply(new Ruleset(Owners.attachment(network, containerId), rules));
        }
    }

    /** Detaches {@code containerId}; idempotent: whatever is already gone is skipped. */
    public void detach(NetnsRef hostRef, String network, String containerId) {
        detach(hostRef, network, containerId, new IfName("eth0"));
    }

    /**
     * Detaches {@code containerId}, idempotent; with no record of it, undoes what an attach as {@code ifName} may
     * have left (a CNI DEL names the interface: its addresses are released by container id and interface).
     */
    public void detach(NetnsRef hostRef, String network, String containerId, IfName ifName) {
        NetworkRecord rec = steps.placement().owned(hostRef, network);
        Chain chain = m.chain(rec.config());
        store.lockNetwork(network, () -> {
            steps.reconcile().ensureCheap(hostRef, rec, chain, m.context(hostRef, rec.hostNetns(), rec.config(), chain));
            steps.unplug().detachLocked(hostRef, rec, chain, containerId, ifName);
            return null;
        });
    }

    /** Adds ({@code add}) or removes published ports of an existing attachment. */
    public Attachment publish(NetnsRef hostRef, String network, String containerId, List<PortMapping> ports, boolean add) {
        NetworkRecord rec = steps.placement().owned(hostRef, network);
        Chain chain = m.chain(rec.config());
        if (!chain.serves(NetworkPlugin.PORT_MAPPINGS)) {
            throw new InvalidInputException("publish", ports.isEmpty() ? "" : ports.get(0), "network \"" + network
                    + "\" has no plugin that publishes ports (its chain: " + String.join(", ", chain.types()) + ")");
        }
        return store.lockNetwork(network, () -> {
            steps.reconcile().ensureCheap(hostRef, rec, chain, m.context(hostRef, rec.hostNetns(), rec.config(), chain));
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
                        a.ifName(), List.of(), null, next, false, a.options()));
                HostPorts.check(m.stack(), hostRef, ctx.host(), next.subList(a.ports().size(), next.size()));
            } else {
                for (PortMapping p : ports) {
                    if (!next.remove(p)) {
                        throw NotFoundException.of("published port", p, "attachment \"" + containerId + "\"");
                    }
                }
            }
            Attachment updated = a.withPorts(next);
            applyRules(hostRef, chain.attachmentRules(ctx, updated), network, containerId, true);
            try {
                store.save(updated);
            } catch (RuntimeException e) { // the record says what is published (a full disk): the rules go back to it
                ErrorCollector undo = new ErrorCollector();
                undo.run("put back the published ports of \"" + containerId + "\" as recorded",
                        () -> applyRules(hostRef, chain.attachmentRules(ctx, a), network, containerId, false));
                if (undo.isEmpty()) {
                    throw e;
                }
                // the disk refused that too: gc's reconcile applies the published ports as recorded
                throw undo.attachTo(PartlyUndone.of(e, new ArrayList<Throwable>(undo.errors())));
            }
            Posted.published(updated, ports, add);
            return updated;
        });
    }

    /**
     * Records {@code options} (a null value: removed) on an existing attachment, as {@code attach --opt} would have: each
     * an attach option of the network's chain, checked by its plugins; nothing changes in the kernel (the caller made it
     * so: a chained CNI type's ADD), and the chain's checks and repairs read them from now on.
     */
    public Attachment recordOptions(NetnsRef hostRef, String network, String containerId, Map<String, String> options) {
        NetworkRecord rec = steps.placement().owned(hostRef, network);
        Chain chain = m.chain(rec.config());
        return store.lockNetwork(network, () -> {
            Attachment a = store.attachment(network, containerId)
                    .orElseThrow(() -> NotFoundException.of("attachment", containerId, "network \"" + network + "\""));
            Map<String, String> next = new java.util.TreeMap<>(a.options());
            options.forEach((k, v) -> {
                if (v == null) {
                    next.remove(k);
                } else {
                    next.put(k, v);
                }
            });
            m.checkAttachOptions(rec.config(), next);
            chain.validate(m.context(hostRef, rec.hostNetns(), rec.config(), chain), new AttachRequest(network, containerId,
                    NetnsRef.path(java.nio.file.Path.of(a.netnsPath())), a.ifName(), List.of(), null, a.ports(), false, next));
            Attachment updated = new Attachment(a.network(), a.containerId(), a.netnsPath(), a.ifName(), a.hostIf(), a.mac(),
                    a.addresses(), a.ports(), next);
            store.save(updated);
            return updated;
        });
    }

    /** The attachment a CNI ADD made for {@code containerId} as {@code ifName} on {@code network}, if recorded. */
    public java.util.Optional<Attachment> findCni(String network, String containerId, IfName ifName) {
        for (CniOrigin o : store.origins(NetworkConfig.checkName(network)).values()) {
            if (o.is(containerId, ifName)) {
                return store.attachment(network, o.key());
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * Who holds {@code mac} on the network (an attachment, its host interface or a port of it), empty when nobody does: the
     * check before an attach, which checks again under the network's lock.
     */
    public java.util.Optional<String> macHolder(NetnsRef hostRef, String network, dev.patchbay.core.model.MacAddress mac) {
        return macHolder(hostRef, network, mac, null);
    }

    /** Who but the attachment recorded as {@code except} holds {@code mac} on the network. */
    public java.util.Optional<String> macHolder(NetnsRef hostRef, String network, dev.patchbay.core.model.MacAddress mac, String except) {
        NetworkRecord rec = steps.placement().owned(hostRef, network);
        NetworkContext ctx = m.context(hostRef, rec.hostNetns(), rec.config(), m.chain(rec.config()));
        return Macs.holder(store.attachments(rec.name()), ctx, mac, except);
    }

    /**
     * Records the MAC the container's interface has now (CNI's tuning changed it), so that the next attach that asks
     * for it is refused; nothing when there is no such attachment.
     */
    public void recordMac(String network, String key, dev.patchbay.core.model.MacAddress mac) {
        store.lockNetwork(network, () -> {
            store.attachment(network, key).ifPresent(a -> store.save(new Attachment(a.network(), a.containerId(), a.netnsPath(), a.ifName(),
                    a.hostIf(), mac, a.addresses(), a.ports(), a.options())));
            return null;
        });
    }

    /** How the attachment recorded as {@code key} was made by CNI; empty for one made otherwise. */
    public java.util.Optional<CniOrigin> origin(String network, String key) {
        return store.origin(NetworkConfig.checkName(network), key);
    }

    /** The attachment of {@code containerId} to {@code network}, if recorded. */
    public java.util.Optional<Attachment> find(String network, String containerId) {
        return store.attachment(NetworkConfig.checkName(network), containerId);
    }

    /** What {@link #gc} did: attachments detached, firewall owners removed, addresses freed and kept (with why). */
    public record GcReport(List<String> detached, List<String> rules, List<String> freed, List<String> kept) {
    }

    /** CNI's GC of the network: see {@link CniGc}. */
    public GcReport gc(NetnsRef hostRef, String network, java.util.Set<dev.patchbay.core.ipam.Attachment> valid) {
        return cniGc.gc(hostRef, network, valid);
    }

    public List<Attachment> list(String network) {
        if (network != null) {
            return store.attachments(NetworkConfig.checkName(network));
        }
        List<Attachment> all = new ArrayList<>();
        store.networks().forEach(n -> all.addAll(store.attachments(n.name())));
        return all;
    }

    /**
     * Every network's attachments; a network whose record or attachment log cannot be read is told to {@code warn} (one
     * line naming the file and what is wrong) and the others are listed: damage concerns its own network only.
     */
    public List<Attachment> listReadable(java.util.function.Consumer<String> warn) {
        List<Attachment> all = new ArrayList<>();
        for (NetworkRecord n : store.networks()) {
            try {
                all.addAll(store.attachments(n.name()));
            } catch (dev.patchbay.core.errors.PatchbayException e) {
                warn.accept(e.getMessage() + " (patchbay gc --repair rewrites it)");
                all.addAll(store.readableAttachments(n.name()));
            }
        }
        store.damaged().forEach(d -> warn.accept(d.getMessage()));
        return all;
    }
}
