package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkPlugin;
import dev.patchbay.core.spi.NetnsHandle;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A network's definition rebuilt when its record cannot be read, from what else describes it: an operation in flight
 * that names its configuration (the journal of a create), else the plugins: each installed plugin reads its options back
 * ({@link NetworkPlugin#recover}) from the network's firewall rules in the host's record, its attachments and the kernel,
 * and the one driver among them that finds the network's host interface is its driver, chained as it chains by default.
 * The subnets come from the network's forward rules and its attachments' addresses, the gateways from its host
 * interface's addresses in the kernel. What no source holds keeps its default, and the result says so, source by source.
 */
final class Rebuild {
    /** The configuration rebuilt, and where each part came from, in words. */
    record Result(NetworkConfig config, List<String> sources) {
    }

    private final NetworkManager m;
    private final NetworkStore store;

    Rebuild(NetworkManager manager, NetworkStore store) {
        this.m = manager;
        this.store = store;
    }

    /** The network {@code name} as it was, seen from {@code hostRef}; a PatchbayException says why it cannot be told. */
    Result of(NetnsRef hostRef, String name) {
        for (Journal.Entry e : Journal.pending(store.root())) {
            if (name.equals(e.network()) && "create".equals(e.op())) {
                for (Journal.Step s : e.steps()) {
                    if ("network".equals(s.kind()) && s.data().get("config") != null) {
                        return new Result(NetworkStore.config(s.data().get("config")), List.of("the whole configuration from the journal of its create"));
                    }
                }
            }
        }
        List<String> sources = new ArrayList<>();
        IpPrefix[] subnets = new IpPrefix[2];
        Ruleset recorded = m.firewall.host(store.root(), hostRef).rulesets().get(Owners.network(name));
        List<Rule> rules = recorded == null ? List.of() : recorded.rules();
        for (Rule r : rules) {
            if (r instanceof Rule.BridgeForward b) {
                b.subnets().forEach(s -> subnets[s.family() == Family.INET ? 0 : 1] = s);
            }
        }
        if (subnets[0] != null) {
            sources.add("subnets from the network's forward rules");
        }
        List<Attachment> attachments = store.readableAttachments(name);
        for (Attachment a : attachments) {
            for (IpPrefix p : a.addresses()) {
                int f = p.family() == Family.INET ? 0 : 1;
                if (subnets[f] == null) {
                    subnets[f] = p.network();
                    sources.add((f == 0 ? "subnet " : "IPv6 subnet ") + subnets[f] + " from the addresses of its attachments");
                }
            }
        }
        try (NetnsHandle host = m.stack().open(hostRef)) {
            Chain all = m.installed();
            Map<String, Map<String, String>> told = new LinkedHashMap<>();
            List<String> drivers = new ArrayList<>();
            for (int i = 0; i < all.plugins().size(); i++) {
                Map<String, String> options = all.recover(host, name, rules, attachments, i);
                if (!options.isEmpty()) {
                    String type = all.types().get(i);
                    told.put(type, options);
                    if (all.plugins().get(i).hostInterface(provisional(name, type, subnets[0], options)) != null) {
                        drivers.add(type);
                    }
                }
            }
            if (drivers.size() != 1) {
                throw new PatchbayException("cannot rebuild network \"" + name + "\": no record, and " + (drivers.isEmpty()
                        ? "no installed driver finds its host interface in its rules or the kernel" : "drivers " + String.join(", ", drivers)
                        + " each find it theirs"));
            }
            String driver = drivers.get(0);
            List<String> chain = m.plugin(driver, "driver").defaultChain();
            Map<String, String> options = new TreeMap<>();
            for (String type : told.keySet()) {
                if (type.equals(driver) || chain.contains(type)) {
                    told.get(type).forEach(options::putIfAbsent);
                    sources.add("options " + NetworkCommand.options(provisional(name, type, subnets[0], told.get(type))) + " read back by "
                            + (type.equals(driver) ? "driver" : "plugin") + " \"" + type + "\" from the rules and the kernel");
                }
            }
            sources.add("driver " + driver + ", chain " + (chain.isEmpty() ? "none" : String.join(", ", chain)) + ": the driver's own (nothing else records them)");
            IfName hi = m.plugin(driver, "driver").hostInterface(provisional(name, driver, subnets[0], options));
            InetAddress[] gateways = gateways(host, hi, subnets);
            if (subnets[0] == null) {
                throw new PatchbayException("cannot rebuild network \"" + name + "\": no record, and nothing in the kernel names its subnet");
            }
            if (gateways[0] != null) {
                sources.add("gateway from the addresses of \"" + hi + "\" in the kernel");
            } else {
                gateways[0] = NetworkConfig.firstHost(subnets[0]);
                sources.add("gateway " + dev.patchbay.core.model.IpAddresses.format(gateways[0]) + ": the subnet's first address (the default)");
            }
            if (subnets[1] != null && gateways[1] == null) {
                gateways[1] = NetworkConfig.firstHost(subnets[1]);
            }
            NetworkConfig config = new NetworkConfig(name, driver, chain, subnets[0], gateways[0], subnets[1], gateways[1], options);
            m.chain(config).requireInstalled(); // its plugins are installed
            return new Result(config, sources);
        }
    }

    /** A configuration to ask a plugin its host interface with, before the subnet is known. */
    private static NetworkConfig provisional(String name, String driver, IpPrefix subnet, Map<String, String> options) {
        return new NetworkConfig(name, driver, List.of(), subnet != null ? subnet : IpPrefix.parse("0.0.0.0/0"), null, null, null, options);
    }

    /**
     * The gateways {@code hi} holds in the kernel, IPv4 then IPv6: within the known subnets; an IPv4 one gives the subnet
     * when none is known.
     */
    private static InetAddress[] gateways(NetnsHandle host, IfName hi, IpPrefix[] subnets) {
        InetAddress[] gw = new InetAddress[2];
        Optional<Link> l = hi == null ? Optional.empty() : host.links().find(LinkRef.name(hi));
        if (l.isEmpty()) {
            return gw;
        }
        for (IpPrefix p : host.addresses().list(LinkRef.index(l.get().index()), null)) {
            if (p.family() == Family.INET && gw[0] == null && (subnets[0] == null || subnets[0].contains(p.address()))) {
                subnets[0] = subnets[0] == null ? p.network() : subnets[0];
                gw[0] = p.address();
            } else if (p.family() == Family.INET6 && gw[1] == null && subnets[1] != null && subnets[1].contains(p.address())) {
                gw[1] = p.address();
            }
        }
        return gw;
    }

    /** For messages: the owner ids of a network in the firewall record. */
    static boolean owns(String network, RulesetOwner owner) {
        return owner.id().equals(Owners.network(network).id()) || Owners.isAttachmentOf(owner, network);
    }
}
