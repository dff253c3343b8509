package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.NetnsId;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Use cases on networks: create, remove, list, inspect. Every change runs under the networks lock. */
public final class Networks {
    private final NetworkManager m;
    private final NetworkStore store;

    Networks(NetworkManager manager, NetworkStore store) {
        this.m = manager;
        this.store = store;
    }

    /** A network and its attachments, as printed by {@code network inspect}. */
    public record Details(NetworkConfig config, String host, List<Attachment> attachments) {
    }

    /**
     * Creates a network: its configuration completed (the driver's chain when {@code defaultChain}, every
     * plugin's defaults) and checked by every plugin before anything changes; then each plugin sets up
     * the host side, the network's rules from all of them are applied at once, and the record is saved.
     */
    public NetworkConfig create(NetnsRef hostRef, NetworkConfig asked, boolean defaultChain) {
        NetnsId hostNs = m.stack().identity(hostRef);
        String hostId = hostNs.toString();
        NetworkConfig config = m.complete(asked, defaultChain);
        Chain chain = m.chain(config);
        m.ipam(); // fail before changing anything if IPAM is missing
        return store.lockNetworks(() -> store.lockNetwork(config.name(), () -> { // the network's lock guards its journal log
            List<NetworkRecord> existing = store.networks();
            List<NetworkConfig> others = checkUnique(config, hostNs, existing);
            NetworkContext ctx = m.context(hostRef, hostId, config, chain);
            chain.validate(ctx, others);
            Journal journal = Journal.begin(store.root(), "create", config.name(), null, hostId,
                    List.of(Journal.Step.of("network", Map.of("config", dev.patchbay.core.command.Json.compact().toJson(config)))));
            ErrorCollector undo = new ErrorCollector();
            boolean ruled = false;
            try {
                chain.setUpNetwork(ctx);
                List<Rule> rules = chain.networkRules(ctx);
                if (!rules.isEmpty()) {
                    ruled = true;
                    m.firewall.host(store.root(), hostRef).apply(new Ruleset(Owners.network(config.name()), rules));
                }
                store.save(new NetworkRecord(config, hostId, hostRef.describe()));
                journal.done();
                return config;
            } catch (RuntimeException e) {
                if (ruled) {
                    undo.run("remove the rules of network \"" + config.name() + "\"",
                            () -> m.firewall.host(store.root(), hostRef).remove(Owners.network(config.name())));
                }
                chain.tearDownNetwork(ctx, undo);
                if (undo.isEmpty()) {
                    journal.done();
                }
                throw undo.attachTo(e);
            }
        }));
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

    /** Removes a network: refuses while attachments exist unless {@code force}, which detaches them first. */
    public void remove(NetnsRef hostRef, String name, boolean force) {
        NetworkConfig.checkName(name);
        store.lockNetworks(() -> store.lockNetwork(name, () -> { // the network's lock guards its attachment log
            NetworkRecord rec = owned(hostRef, name);
            Chain chain = m.chain(rec.config());
            List<Attachment> attached = store.attachments(name);
            if (!attached.isEmpty() && !force) {
                throw new PatchbayException("network \"" + name + "\" has " + attached.size() + " attachment(s) ("
                        + String.join(", ", attached.stream().map(Attachment::containerId).toList())
                        + "); detach them first or use --force");
            }
            ErrorCollector errors = new ErrorCollector();
            Attachments atts = new Attachments(m, store);
            for (Attachment a : attached) {
                errors.run("detach \"" + a.containerId() + "\"", () -> atts.detachLocked(hostRef, rec, chain, a.containerId()));
            }
            Journal journal = Journal.begin(store.root(), "remove", name, null, rec.hostNetns(), List.of());
            tearDown(hostRef, rec, chain, errors);
            journal.done();
            errors.throwIfAny("failed to remove network \"" + name + "\"");
            return null;
        }));
    }

    /** Everything a network owns, removed; every error collected. Used by remove and by recovery. */
    void tearDown(NetnsRef hostRef, NetworkRecord rec, Chain chain, ErrorCollector errors) {
        NetworkConfig config = rec.config();
        errors.run("remove the rules of network \"" + config.name() + "\"",
                () -> m.firewall.host(store.root(), hostRef).remove(Owners.network(config.name())));
        chain.tearDownNetwork(m.context(hostRef, rec.hostNetns(), config, chain), errors);
        errors.run("release the addresses of network \"" + config.name() + "\"", () -> {
            Ipam.GcResult gc = m.ipam().gc(Ipam.dataDir(store.root()), config.name(), java.util.Set.of(), new Evidence(m.stack(), store));
            if (!gc.kept().isEmpty()) {
                throw new PatchbayException(gc.kept().size() + " address(es) kept: held by an interface or unreadable ("
                        + String.join(", ", gc.kept().stream().map(r -> dev.patchbay.core.model.IpAddresses.format(r.address())).toList())
                        + "); see patchbay ipam ls " + config.name());
            }
            if (m.ipam().list(Ipam.dataDir(store.root()), config.name()).isEmpty()) {
                store.deleteTree(Ipam.dataDir(store.root()).resolve(config.name()));
            }
        });
        errors.run("forget network \"" + config.name() + "\"", () -> store.deleteNetwork(config.name()));
    }

    /** The network, if it lives in {@code hostRef}'s namespace; a clear error otherwise. */
    NetworkRecord owned(NetnsRef hostRef, String name) {
        NetworkRecord rec = store.network(name).orElseThrow(() -> NotFoundException.of("network", name, null));
        if (!NetnsIdentity.same(m.stack(), rec.hostNetns(), hostRef)) {
            throw new InvalidInputException("network", name, "lives in " + rec.hostDescription()
                    + ", not in " + hostRef.describe() + " (run patchbay there, or with -n)");
        }
        return rec;
    }

    public List<NetworkConfig> list() {
        return store.networks().stream().map(NetworkRecord::config).toList();
    }

    public Details inspect(String name) {
        NetworkConfig.checkName(name);
        NetworkRecord rec = store.network(name).orElseThrow(() -> NotFoundException.of("network", name, null));
        return new Details(rec.config(), rec.hostDescription(), store.attachments(name));
    }
}
