package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkDriver;
import dev.patchbay.core.network.NetworkFirewall;
import dev.patchbay.core.spi.NetnsHandle;
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

    public NetworkConfig create(NetnsRef hostRef, NetworkConfig config) {
        String hostId = NetnsIdentity.of(hostRef);
        NetworkDriver driver = m.driver(config.driver());
        driver.validate(config);
        if (config.masquerade() || config.isolate()) {
            m.requireFirewall(config.masquerade() ? "--masquerade" : "--isolate");
        }
        m.ipam(); // fail before changing anything if IPAM is missing
        return store.lockNetworks(() -> store.lockNetwork(config.name(), () -> { // the network's lock guards its journal log
            NetnsHandle host = m.host(hostRef, hostId);
            List<NetworkRecord> existing = store.networks();
            checkUnique(config, hostId, existing);
            if (host.links().find(LinkRef.name(config.bridge())).isPresent()) {
                throw new AlreadyExistsException("failed to create network \"" + config.name() + "\": a link named \""
                        + config.bridge() + "\" already exists in " + hostRef.describe() + "; choose another --bridge");
            }
            if (config.uplink() != null && host.links().find(LinkRef.name(config.uplink())).isEmpty()) {
                throw NotFoundException.of("uplink", config.uplink(), hostRef.describe());
            }
            Journal journal = Journal.begin(store.root(), "create", config.name(), null, hostId,
                    List.of(Journal.Step.of("network", Map.of("config", dev.patchbay.core.command.Json.compact().toJson(config)))));
            ErrorCollector undo = new ErrorCollector();
            NetworkFirewall fw = m.firewall();
            try {
                driver.setUpNetwork(host, config);
                if (fw != null) {
                    fw.applyNetwork(store.root(), hostRef, config, configsOn(hostId, existing, config));
                }
                store.save(new NetworkRecord(config, hostId, hostRef.describe()));
                journal.done();
                return config;
            } catch (RuntimeException e) {
                if (fw != null) {
                    undo.run("remove the rules of network \"" + config.name() + "\"", () -> fw.removeNetwork(store.root(), hostRef, config));
                }
                driver.tearDownNetwork(host, config, undo);
                if (undo.isEmpty()) {
                    journal.done();
                }
                throw undo.attachTo(e);
            }
        }));
    }

    private void checkUnique(NetworkConfig config, String hostId, List<NetworkRecord> existing) {
        for (NetworkRecord r : existing) {
            NetworkConfig other = r.config();
            if (other.name().equals(config.name())) {
                throw new AlreadyExistsException("network \"" + config.name() + "\" already exists (in " + r.hostDescription() + ")");
            }
            if (!r.hostNetns().equals(hostId)) {
                continue;
            }
            if (other.bridge().equals(config.bridge())) {
                throw new InvalidInputException("bridge", config.bridge(), "is the bridge of network \"" + other.name() + "\"");
            }
            if (other.subnet().overlaps(config.subnet())) {
                throw new InvalidInputException("subnet", config.subnet(), "overlaps " + other.subnet() + " of network \"" + other.name() + "\"");
            }
            if (config.subnet6() != null && other.subnet6() != null && other.subnet6().overlaps(config.subnet6())) {
                throw new InvalidInputException("ipv6", config.subnet6(), "overlaps " + other.subnet6() + " of network \"" + other.name() + "\"");
            }
        }
    }

    private static List<NetworkConfig> configsOn(String hostId, List<NetworkRecord> records, NetworkConfig plus) {
        List<NetworkConfig> out = new java.util.ArrayList<>();
        records.stream().filter(r -> r.hostNetns().equals(hostId)).map(NetworkRecord::config).forEach(out::add);
        if (plus != null) {
            out.add(plus);
        }
        return out;
    }

    /** Removes a network: refuses while attachments exist unless {@code force}, which detaches them first. */
    public void remove(NetnsRef hostRef, String name, boolean force) {
        NetworkConfig.checkName(name);
        store.lockNetworks(() -> store.lockNetwork(name, () -> { // the network's lock guards its attachment log
            NetworkRecord rec = owned(hostRef, name);
            List<Attachment> attached = store.attachments(name);
            if (!attached.isEmpty() && !force) {
                throw new PatchbayException("network \"" + name + "\" has " + attached.size() + " attachment(s) ("
                        + String.join(", ", attached.stream().map(Attachment::containerId).toList())
                        + "); detach them first or use --force");
            }
            ErrorCollector errors = new ErrorCollector();
            Attachments atts = new Attachments(m, store);
            for (Attachment a : attached) {
                errors.run("detach \"" + a.containerId() + "\"", () -> atts.detachLocked(hostRef, rec, a.containerId()));
            }
            Journal journal = Journal.begin(store.root(), "remove", name, null, rec.hostNetns(), List.of());
            tearDown(hostRef, rec, errors);
            journal.done();
            errors.throwIfAny("failed to remove network \"" + name + "\"");
            return null;
        }));
    }

    /** Everything a network owns, removed; every error collected. Used by remove and by recovery. */
    void tearDown(NetnsRef hostRef, NetworkRecord rec, ErrorCollector errors) {
        NetworkConfig config = rec.config();
        NetnsHandle host = m.host(hostRef, rec.hostNetns());
        NetworkFirewall fw = m.firewall();
        if (fw != null) {
            errors.run("remove the rules of network \"" + config.name() + "\"", () -> fw.removeNetwork(store.root(), hostRef, config));
        }
        errors.run("tear down network \"" + config.name() + "\"", () -> m.driver(config.driver()).tearDownNetwork(host, config, errors));
        errors.run("release the addresses of network \"" + config.name() + "\"", () -> {
            m.ipam().gc(Ipam.dataDir(store.root()), config.name(), java.util.Set.of());
            if (m.ipam().list(Ipam.dataDir(store.root()), config.name()).isEmpty()) {
                store.deleteTree(Ipam.dataDir(store.root()).resolve(config.name()));
            }
        });
        errors.run("forget network \"" + config.name() + "\"", () -> store.deleteNetwork(config.name()));
    }

    /** The network, if it lives in {@code hostRef}'s namespace; a clear error otherwise. */
    NetworkRecord owned(NetnsRef hostRef, String name) {
        NetworkRecord rec = store.network(name).orElseThrow(() -> NotFoundException.of("network", name, null));
        if (!NetnsIdentity.same(rec.hostNetns(), hostRef)) {
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
