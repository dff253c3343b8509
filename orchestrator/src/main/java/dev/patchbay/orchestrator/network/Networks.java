package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.NetnsId;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.firewall.host.FirewallHost;
import dev.patchbay.state.AddressPools;
import dev.patchbay.core.network.NetworkContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Use cases on networks: create, remove, list, inspect. Every change runs under the networks lock. */
public final class Networks {
    private final NetworkManager m;
    private final NetworkStore store;
    private final Steps steps;

    Networks(NetworkManager manager, NetworkStore store, Steps steps) {
        this.m = manager;
        this.store = store;
        this.steps = steps;
    }

    /**
     * A network and its attachments, as printed by {@code network inspect}; {@code health}: {@code ok}, {@code degraded}
     * ({@code missing} says what of it the kernel lacks), {@code damaged} or {@code unknown} ({@code note} says why);
     * {@code labels}: the operator's; {@code features}: what other bundles add to it ({@link NetworkFeatures}).
     */
    public record Details(NetworkConfig config, String host, List<Attachment> attachments, String health, List<String> missing, String note,
                          Map<String, String> labels, List<NetworkFeatures.Feature> features) {
        public Details(NetworkConfig config, String host, List<Attachment> attachments) {
            this(config, host, attachments, null, List.of(), null, Map.of());
        }

        public Details(NetworkConfig config, String host, List<Attachment> attachments, String health, List<String> missing, String note,
                       Map<String, String> labels) {
            this(config, host, attachments, health, missing, note, labels, List.of());
        }

        /** The same, with what {@code sources} add to the network (its records in {@code stateDir}, in {@code hostRef}). */
        public Details with(List<NetworkFeatures> sources, java.nio.file.Path stateDir, NetnsRef hostRef) {
            return config == null ? this : new Details(config, host, attachments, health, missing, note, labels,
                    NetworkFeatures.collect(sources, new NetworkFeatures.Shown(stateDir, hostRef, config, attachments)));
        }
    }

    /** One line of {@code network ls}: the network (null when its record cannot be read), where it lives, its health, its labels. */
    public record Status(String name, NetworkConfig config, String host, String health, List<String> missing, String note,
                         Map<String, String> labels) {
    }

    /**
     * Creates a network: its configuration completed (the driver's chain when {@code defaultChain}, every
     * plugin's defaults) and checked by every plugin before anything changes; then each plugin sets up
     * the host side, the network's rules from all of them are applied at once, and the record is saved.
     */
    public NetworkConfig create(NetnsRef hostRef, NetworkConfig asked, boolean defaultChain) {
        return create(hostRef, asked, defaultChain, null, Map.of());
    }

    /**
     * {@code pools} not null: {@code asked}'s IPv4 subnet and gateway stand in until the networks lock is held; then they
     * are the pools' first subnet that overlaps no network's subnet and nothing the host namespace uses (its first host
     * the gateway), so that two creates at once never take the same one. {@code labels}: recorded with it ({@link Labels}).
     */
    public NetworkConfig create(NetnsRef hostRef, NetworkConfig asked, boolean defaultChain, AddressPools pools, Map<String, String> labels) {
        Labels.check(labels);
        NetnsId hostNs = m.stack().identity(hostRef);
        String hostId = hostNs.toString();
        NetworkConfig completed = m.complete(asked, defaultChain);
        Chain chain = m.chain(completed);
        m.ipam(); // fail before changing anything if IPAM is missing
        return store.lockNetworks(() -> store.lockNetwork(completed.name(), () -> { // the network's lock guards its journal log
            HostNamespaces hosts = new HostNamespaces(m.stack(), hostRef);
            store.network(completed.name()).ifPresent(rec -> {
                throw exists(hosts, rec);
            });
            List<NetworkRecord> existing = store.networks();
            NetworkConfig config = pools == null ? completed : fromPools(completed, existing,
                    m.context(hostRef, hostId, completed, chain).host(), pools);
            List<NetworkConfig> others = checkUnique(config, hostNs, existing);
            NetworkContext ctx = m.context(hostRef, hostId, config, chain);
            HostSubnets.check(ctx.host(), hostRef.describe(), config);
            chain.validate(ctx, others);
            Journal journal = Journal.begin(store.root(), "create", config.name(), null, hostId,
                    List.of(Journal.Step.of("network", Map.of("config", dev.patchbay.state.Json.compact().toJson(config)))));
            Undo undo = new Undo();
            try {
                undo.pushTeardown(errors -> chain.tearDownNetwork(ctx, errors)); // what of the host side a failing set-up made
                chain.setUpNetwork(ctx);
                List<Rule> rules = chain.networkRules(ctx);
                if (!rules.isEmpty()) {
                    FirewallHost fw = m.firewall.host(store.root(), hostRef);
                    undo.push("remove the rules of network \"" + config.name() + "\"", () -> fw.remove(Owners.network(config.name())));
                    fw.apply(new Ruleset(Owners.network(config.name()), rules));
                }
                store.save(new NetworkRecord(config, hostId, hostRef.describe(), hosts.herePlace(), labels)); // the commit point
                Posted.created(config);
            } catch (RuntimeException e) {
                if (undo.run(e).isEmpty()) {
                    journal.doneIfPossible(); // fully undone; an entry left finds nothing to undo
                }
                throw undo.attachTo(e);
            }
            journal.doneIfPossible(); // the network exists: an entry left (a full disk) names a recorded network, which gc forgets
            return config;
        }));
    }

    /** {@code c} with the pools' first free IPv4 subnet; a clear error when every one is taken. */
    private static NetworkConfig fromPools(NetworkConfig c, List<NetworkRecord> existing, NetnsHandle host, AddressPools pools) {
        List<IpPrefix> taken = new ArrayList<>(HostSubnets.used(host));
        existing.forEach(r -> taken.addAll(r.config().subnets()));
        IpPrefix s = pools.next(Family.INET, taken).orElseThrow(() -> new InvalidInputException("subnet", null, "left out, and every subnet"
                + " of the default address pools (" + pools + ") is taken by a network or used by the host: give --subnet, or"
                + " more pools in default-address-pools"));
        return new NetworkConfig(c.name(), c.driver(), c.plugins(), s, NetworkConfig.firstHost(s), c.subnet6(), c.gateway6(), c.options());
    }

    /** A network of that name exists: where, and what of it the kernel still holds, so the operator knows what to run. */
    private PatchbayException exists(HostNamespaces hosts, NetworkRecord rec) {
        String name = "network \"" + rec.name() + "\" already exists";
        switch (hosts.where(rec)) {
            case HERE -> {
                try {
                    Reconcile.Health h = steps.reconcile().check(hosts.ref(), rec.hostNetns(), rec, new java.util.HashMap<>(), false);
                    if (!h.missing().isEmpty()) {
                        return new AlreadyExistsException(name + " (in " + rec.hostDescription() + "), but the kernel lacks "
                                + String.join(", ", h.missing()) + ": run patchbay gc to make it again (or patchbay network rm "
                                + rec.name() + " first)");
                    }
                } catch (PatchbayException e) {
                    // cannot check: the plain answer
                }
                return new AlreadyExistsException(name + " (in " + rec.hostDescription() + ")");
            }
            case REPLACED -> {
                return new AlreadyExistsException(name + ": it was created in " + rec.hostDescription() + " before that namespace was"
                        + " made again (or the machine rebooted), so its bridge, addresses and rules are gone here: run patchbay gc"
                        + " to rebuild it, or patchbay network rm " + rec.name() + " to forget it");
            }
            case GONE -> {
                return new AlreadyExistsException(name + ", but its host namespace (" + rec.hostDescription() + ") is gone, and"
                        + " nothing of it is left in any kernel: patchbay network rm --force " + rec.name() + " (or patchbay gc) forgets it");
            }
            default -> {
                return new AlreadyExistsException(name + " (in " + rec.hostDescription() + ")");
            }
        }
    }

    /** Names are unique in the state directory, subnets in the host namespace; returns the host's other networks. */
    private static List<NetworkConfig> checkUnique(NetworkConfig config, NetnsId hostNs, List<NetworkRecord> existing) {
        List<NetworkConfig> others = new ArrayList<>();
        for (NetworkRecord r : existing) {
            NetworkConfig other = r.config();
            if (other.name().equals(config.name())) {
                throw new AlreadyExistsException("network \"" + config.name() + "\" already exists (in " + r.hostDescription() + ")");
            }
            if (!NetnsIdentity.same(r.hostNetns(), hostNs)) {
                continue;
            }
            others.add(other);
            for (IpPrefix mine : config.subnets()) {
                for (IpPrefix theirs : other.subnets()) {
                    if (theirs.overlaps(mine)) {
                        throw new InvalidInputException(mine.isV4() ? "subnet" : "ipv6", mine, "overlaps " + theirs
                                + " of network \"" + other.name() + "\"");
                    }
                }
            }
        }
        return others;
    }

    /**
     * Removes a network: refuses while attachments exist unless {@code force}, which detaches them first. A network
     * whose host namespace is gone is removed from anywhere: only its records are left (the kernel objects died with
     * the namespace), and nothing of the namespace the command runs in is touched. A network whose record cannot be
     * read is removed as it is rebuilt from the other records and the kernel.
     */
    public void remove(NetnsRef hostRef, String name, boolean force) {
        NetworkConfig.checkName(name);
        store.lockNetworks(() -> store.lockNetwork(name, () -> { // the network's lock guards its attachment log
            NetworkRecord rec;
            boolean gone = false;
            try {
                rec = steps.placement().owned(hostRef, name, true);
                gone = !NetnsIdentity.same(rec.hostNetns(), new HostNamespaces(m.stack(), hostRef).here());
            } catch (DamagedNetworkException d) {
                Rebuild.Result r;
                try {
                    r = steps.rebuild().of(hostRef, name);
                } catch (PatchbayException cannot) {
                    throw new PatchbayException(d.getMessage() + "; " + cannot.getMessage() + ", so it cannot be removed either: look at the file");
                }
                rec = new NetworkRecord(r.config(), m.stack().identity(hostRef).toString(), hostRef.describe());
            }
            List<Attachment> attached = store.readableAttachments(name);
            if (!attached.isEmpty() && !force) {
                throw new PatchbayException("network \"" + name + "\" has " + attached.size() + " attachment(s) ("
                        + String.join(", ", attached.stream().map(Attachment::containerId).toList())
                        + "); detach them first or use --force");
            }
            ErrorCollector errors = new ErrorCollector();
            if (gone) {
                forgetGone(rec, errors);
                errors.throwIfAny("failed to remove network \"" + name + "\"");
                return null;
            }
            Chain chain = m.chain(rec.config());
            NetworkRecord r0 = rec;
            Unplug atts = steps.unplug();
            for (Attachment a : attached) {
                errors.run("detach \"" + a.containerId() + "\"", () -> atts.detachLocked(hostRef, r0, chain, a.containerId()));
            }
            Journal journal = Journal.begin(store.root(), "remove", name, null, rec.hostNetns(), List.of());
            tearDown(hostRef, rec, chain, errors);
            finishRemove(name, journal, errors);
            return null;
        }));
        Posted.removed(name); // gone (a failure above threw: its record stays for gc)
    }

    /**
     * After a removal's teardown: done, its journal forgotten; or the record (and the entry) kept while a container or
     * the network's own objects are left, for gc to finish; or, when only addresses were kept, forgotten with an error.
     */
    private void finishRemove(String name, Journal journal, ErrorCollector errors) {
        boolean left = java.nio.file.Files.exists(store.networkFile(name));
        if (errors.isEmpty()) {
            Journal.forgetAll(store.root(), name); // its entries, damaged lines too: nothing of it is in flight any more
        } else if (!left) {
            journal.done(); // forgotten: only addresses were kept, which the error names
        }
        try {
            errors.throwIfAny("failed to remove network \"" + name + "\"");
        } catch (PatchbayException e) { // the record and the entry stay: gc finishes the removal
            throw left ? new PatchbayException(e.getMessage() + "; patchbay gc finishes the removal", e) : e;
        }
    }

    /**
     * Forgets a network whose host namespace is gone: its addresses (freed only by evidence), its attachments, its
     * firewall record in the gone namespace's log, its journal, its record. Asks no kernel to change anything. The
     * caller holds the networks lock and the network's.
     */
    void forgetGone(NetworkRecord rec, ErrorCollector errors) {
        String name = rec.name();
        errors.run("forget the attachments of network \"" + name + "\"", () -> store.deleteAttachments(name));
        // then its addresses: the records no longer count as evidence, the interfaces of the namespaces still do
        errors.run("release the addresses of network \"" + name + "\"", () -> releaseAll(rec.config()));
        errors.run("forget the firewall rules of network \"" + name + "\"",
                () -> m.firewall.forgetGone(store.root(), rec.hostNetns(), id -> Rebuild.owns(name, dev.patchbay.core.firewall.RulesetOwner.of(id))));
        errors.run("forget the journal of network \"" + name + "\"", () -> Journal.forgetAll(store.root(), name));
        errors.run("forget network \"" + name + "\"", () -> store.deleteNetwork(name));
    }

    /** Frees every reservation of the network no interface holds (by evidence); an error names those kept. */
    private void releaseAll(NetworkConfig config) {
        java.nio.file.Path ipamDir = Unplug.ipamDir(store.root(), config);
        Ipam.GcResult gc = m.ipam().gc(ipamDir, config.name(), java.util.Set.of(), new Evidence(m.stack(), store));
        if (!gc.kept().isEmpty()) {
            throw new PatchbayException(gc.kept().size() + " address(es) kept: held by an interface or unreadable ("
                    + String.join(", ", gc.kept().stream().map(r -> dev.patchbay.core.model.IpAddresses.format(r.address())).toList())
                    + "); see patchbay ipam ls " + config.name());
        }
        if (m.ipam().list(ipamDir, config.name()).isEmpty()) {
            store.deleteTree(ipamDir.resolve(config.name()));
        }
    }

    /**
     * Everything a network owns, removed; every error collected. Its record is forgotten only when nothing failed
     * before the addresses (a container that could not be detached, a rule or the network's own objects left), so
     * that gc, finding the record and the removal's journal entry, finishes it; addresses an interface still holds
     * are kept and named, the record forgotten. Used by remove and by recovery.
     */
    void tearDown(NetnsRef hostRef, NetworkRecord rec, Chain chain, ErrorCollector errors) {
        NetworkConfig config = rec.config();
        // every owner of the network the backend holds, recorded or not: a record line lost to damage or cut short
        // must not leave a published port behind
        errors.run("remove the rules of network \"" + config.name() + "\"",
                () -> m.firewall.host(store.root(), hostRef).removeOwners(id -> Rebuild.owns(config.name(), dev.patchbay.core.firewall.RulesetOwner.of(id))));
        chain.tearDownNetwork(m.context(hostRef, rec.hostNetns(), config, chain), errors);
        boolean undone = errors.isEmpty();
        errors.run("release the addresses of network \"" + config.name() + "\"", () -> releaseAll(config));
        if (undone) {
            errors.run("forget network \"" + config.name() + "\"", () -> store.deleteNetwork(config.name()));
        }
    }

    /**
     * What {@code network prune} removes: the networks of {@code hostRef}'s namespace (or of one that is gone) that match
     * {@code filters} ({@link Labels}) and have no attachment, by name. A container attached since is no harm: remove
     * refuses a network with attachments, under its lock.
     */
    public List<String> unused(NetnsRef hostRef, List<String> filters) {
        Labels.match(Map.of(), filters); // a filter that is not one is refused even with no network
        HostNamespaces hosts = new HostNamespaces(m.stack(), hostRef);
        List<String> out = new ArrayList<>();
        for (NetworkRecord rec : store.networks()) {
            if (hosts.where(rec) != HostNamespaces.Where.ELSEWHERE && Labels.match(rec.labels(), filters)
                    && store.readableAttachments(rec.name()).isEmpty()) {
                out.add(rec.name());
            }
        }
        out.sort(null);
        return out;
    }

    /** The network named {@code name}, if there is one (in any host namespace). */
    public java.util.Optional<NetworkConfig> find(String name) {
        return store.network(NetworkConfig.checkName(name)).map(NetworkRecord::config);
    }

    public List<NetworkConfig> list() {
        return store.networks().stream().map(NetworkRecord::config).toList();
    }

    /**
     * Every network with its health as seen from {@code hostRef}: the kernel read once (its links and addresses, the
     * firewall's owners), compared with each record. Read-only: nothing is repaired (gc does), nothing is created.
     */
    public List<Status> status(NetnsRef hostRef) {
        HostNamespaces hosts = new HostNamespaces(m.stack(), hostRef);
        Map<String, Reconcile.HostView> views = new java.util.HashMap<>();
        List<Status> out = new ArrayList<>();
        for (NetworkRecord rec : store.networks()) {
            Details d = details(hosts, rec, views, false);
            out.add(new Status(rec.name(), rec.config(), rec.hostDescription(), d.health(), d.missing(), d.note(), rec.labels()));
        }
        for (DamagedNetworkException d : store.damaged()) {
            out.add(new Status(d.network(), null, null, Reconcile.Health.DAMAGED, List.of(), d.getMessage(), Map.of()));
        }
        out.sort(java.util.Comparator.comparing(Status::name));
        return out;
    }

    public Details inspect(String name) {
        return inspect(NetnsRef.current(), name);
    }

    /** The network, its attachments and its health seen from {@code hostRef}, inside its containers too. */
    public Details inspect(NetnsRef hostRef, String name) {
        NetworkConfig.checkName(name);
        NetworkRecord rec = store.network(name).orElseThrow(() -> NotFoundException.of("network", name, null));
        return details(new HostNamespaces(m.stack(), hostRef), rec, new java.util.HashMap<>(), true);
    }

    private Details details(HostNamespaces hosts, NetworkRecord rec, Map<String, Reconcile.HostView> views, boolean deep) {
        List<Attachment> attachments;
        try {
            attachments = store.attachments(rec.name());
        } catch (PatchbayException e) {
            return new Details(rec.config(), rec.hostDescription(), store.readableAttachments(rec.name()), Reconcile.Health.DAMAGED,
                    List.of(), e.getMessage() + "; run patchbay gc --repair", rec.labels());
        }
        try {
            HostNamespaces.Where where = hosts.where(rec);
            switch (where) {
                case HERE, REPLACED -> {
                    String id = hosts.here().toString();
                    Reconcile.Health h = steps.reconcile().check(hosts.ref(), id, rec, views, deep);
                    String note = where == HostNamespaces.Where.REPLACED ? "its host namespace (" + rec.hostDescription()
                            + ") was made again since (or the machine rebooted): patchbay gc, or the next attach, rebuilds it" : null;
                    if (where == HostNamespaces.Where.REPLACED && h.missing().isEmpty()) {
                        h = new Reconcile.Health(Reconcile.Health.DEGRADED, List.of("its record of the namespace"));
                    }
                    return new Details(rec.config(), rec.hostDescription(), attachments, h.status(), h.missing(), note, rec.labels());
                }
                case GONE -> {
                    return new Details(rec.config(), rec.hostDescription(), attachments, Reconcile.Health.DEGRADED,
                            List.of("its host namespace (" + rec.hostDescription() + ")"), "its host namespace is gone"
                            + (hosts.rebooted(rec) ? " since the machine rebooted: patchbay gc run where it is made again rebuilds it"
                            : ": patchbay gc (or network rm --force) forgets it"), rec.labels());
                }
                default -> {
                    return new Details(rec.config(), rec.hostDescription(), attachments, Reconcile.Health.UNKNOWN, List.of(),
                            "it lives in " + rec.hostDescription() + (rec.hostDescription() != null && rec.hostDescription().equals(hosts.ref().describe())
                            ? " of another process" : "") + ": run patchbay there (or with -n) to check it", rec.labels());
                }
            }
        } catch (RuntimeException e) {
            return new Details(rec.config(), rec.hostDescription(), attachments, Reconcile.Health.UNKNOWN, List.of(),
                    "cannot check it: " + (e instanceof PatchbayException ? e.getMessage() : "the kernel could not be read"), rec.labels());
        }
    }
}
