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
import dev.patchbay.core.network.NetworkDriver;
import dev.patchbay.core.network.NetworkFirewall;
import dev.patchbay.core.spi.NetnsHandle;
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
        NetworkDriver driver = m.driver(config.driver());
        String containerNs = NetnsIdentity.of(request.container()); // the container namespace must exist
        if (containerNs.equals(rec.hostNetns())) {
            throw new InvalidInputException("container namespace", request.container(), "is the host namespace of network \"" + config.name() + "\"");
        }
        checkAddresses(config, request.addresses());
        if (!request.ports().isEmpty()) {
            m.requireFirewall("--publish");
        }
        Ipam ipam = m.ipam();
        IpamConfig ipamConfig = ipamConfig(config);
        return store.lockNetwork(config.name(), () -> {
            if (store.attachment(config.name(), request.containerId()).isPresent()) {
                throw new AlreadyExistsException("\"" + request.containerId() + "\" is already attached to network \"" + config.name() + "\"");
            }
            checkPortConflicts(rec, request);
            NetnsHandle host = m.host(hostRef, rec.hostNetns());
            String hostIf = driver.hostLinkName(config, request.containerId());
            Journal journal = Journal.begin(store.root(), "attach", config.name(), request.containerId(), rec.hostNetns(), List.of(
                    Journal.Step.of("ipam", Map.of("ifname", request.ifName().value())),
                    Journal.Step.of("link", Map.of("hostIf", hostIf)),
                    Journal.Step.of("rules", Map.of())));
            ErrorCollector undo = new ErrorCollector();
            NetworkFirewall fw = m.firewall();
            List<Runnable> rollback = new ArrayList<>();
            try {
                AllocationRequest ar = AllocationRequest.of(Ipam.dataDir(store.root()), config.name(), request.containerId(),
                        request.ifName(), ipamConfig).withRequested(request.addresses().toArray(InetAddress[]::new));
                Allocation allocation = ipam.allocate(ar);
                rollback.add(() -> undo.run("release the addresses of \"" + request.containerId() + "\"",
                        () -> ipam.release(Ipam.dataDir(store.root()), config.name(), request.containerId(), request.ifName())));
                List<IpPrefix> addresses = allocation.addresses().stream().map(Allocation.Address::address).toList();

                rollback.add(() -> driver.detach(host, config, stub(config, request, hostIf), undo));
                Attachment attachment = driver.attach(host, config, request, addresses);

                if (fw != null && !attachment.ports().isEmpty()) {
                    rollback.add(() -> undo.run("remove the rules of \"" + request.containerId() + "\"",
                            () -> fw.removeAttachment(store.root(), hostRef, config, request.containerId())));
                    fw.applyAttachment(store.root(), hostRef, config, attachment);
                }
                store.save(attachment);
                journal.done();
                return attachment;
            } catch (RuntimeException e) {
                for (int i = rollback.size() - 1; i >= 0; i--) {
                    rollback.get(i).run();
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
        store.lockNetwork(network, () -> {
            detachLocked(hostRef, rec, containerId);
            return null;
        });
    }

    void detachLocked(NetnsRef hostRef, NetworkRecord rec, String containerId) {
        NetworkConfig config = rec.config();
        NetworkDriver driver = m.driver(config.driver());
        Attachment a = store.attachment(config.name(), containerId)
                .orElse(stub(config, null, driver.hostLinkName(config, containerId)).withId(containerId));
        Journal journal = Journal.begin(store.root(), "detach", config.name(), containerId, rec.hostNetns(), List.of());
        ErrorCollector errors = new ErrorCollector();
        NetworkFirewall fw = m.firewall();
        if (fw != null) {
            errors.run("remove the rules of \"" + containerId + "\"", () -> fw.removeAttachment(store.root(), hostRef, config, containerId));
        }
        errors.run("unplug \"" + containerId + "\"", () -> driver.detach(m.host(hostRef, rec.hostNetns()), config, a, errors));
        errors.run("release the addresses of \"" + containerId + "\"",
                () -> m.ipam().release(Ipam.dataDir(store.root()), config.name(), containerId, a.ifName()));
        if (errors.isEmpty()) {
            store.deleteAttachment(config.name(), containerId);
            journal.done();
        }
        errors.throwIfAny("failed to detach \"" + containerId + "\" from network \"" + config.name() + "\"");
    }

    /** Adds ({@code add}) or removes published ports of an existing attachment. */
    public Attachment publish(NetnsRef hostRef, String network, String containerId, List<PortMapping> ports, boolean add) {
        NetworkRecord rec = new Networks(m, store).owned(hostRef, network);
        NetworkFirewall fw = m.requireFirewall("publishing ports");
        return store.lockNetwork(network, () -> {
            Attachment a = store.attachment(network, containerId)
                    .orElseThrow(() -> NotFoundException.of("attachment", containerId, "network \"" + network + "\""));
            List<PortMapping> next = new ArrayList<>(a.ports());
            if (add) {
                checkPortConflicts(rec, new AttachRequest(network, containerId, NetnsRef.path(java.nio.file.Path.of(a.netnsPath())),
                        a.ifName(), List.of(), null, ports));
                for (PortMapping p : ports) {
                    if (!next.contains(p)) {
                        next.add(p);
                    }
                }
            } else {
                for (PortMapping p : ports) {
                    if (!next.remove(p)) {
                        throw NotFoundException.of("published port", p, "attachment \"" + containerId + "\"");
                    }
                }
            }
            Attachment updated = a.withPorts(next);
            if (next.isEmpty()) {
                fw.removeAttachment(store.root(), hostRef, rec.config(), containerId);
            } else {
                fw.applyAttachment(store.root(), hostRef, rec.config(), updated);
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

    /**
     * The ports of one request may not overlap each other. Ports published by other attachments are the
     * firewall's to refuse: its port index answers in O(1) when the rules are applied, and the attach is
     * then rolled back.
     */
    private static void checkPortConflicts(NetworkRecord rec, AttachRequest request) {
        for (int i = 0; i < request.ports().size(); i++) {
            for (int j = i + 1; j < request.ports().size(); j++) {
                if (clash(request.ports().get(i), request.ports().get(j))) {
                    throw new InvalidInputException("publish", request.ports().get(j), "overlaps " + request.ports().get(i));
                }
            }
        }
    }

    private static boolean clash(PortMapping a, PortMapping b) {
        return a.protocol() == b.protocol() && a.hostPorts().overlaps(b.hostPorts())
                && (a.hostIp() == null || b.hostIp() == null || a.hostIp().equals(b.hostIp()));
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
    private static Attachment stub(NetworkConfig config, AttachRequest request, String hostIf) {
        return new Attachment(config.name(), request == null ? "?" : request.containerId(), "",
                request == null ? new IfName("eth0") : request.ifName(), new IfName(hostIf), null, List.of(), List.of());
    }
}
