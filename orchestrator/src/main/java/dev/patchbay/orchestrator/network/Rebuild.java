package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.spi.AddressOps;
import dev.patchbay.core.spi.NetnsHandle;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A network's definition rebuilt when its record cannot be read, from what else describes it: an operation in flight
 * that names its configuration (the journal of a create), the network's own firewall rules in the host's record (its
 * bridge and subnets in the forward accepts, masquerade and uplink, isolation), its attachments' addresses, and the
 * kernel (the bridge holding the attachments' links, its gateway addresses). What no source holds keeps its default
 * (the bridge driver's chain: firewall, portmap), and the result says so, source by source.
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
        Map<String, String> options = new TreeMap<>();
        IfName bridge = null;
        IpPrefix subnet = null;
        IpPrefix subnet6 = null;
        Ruleset rules = m.firewall.host(store.root(), hostRef).rulesets().get(Owners.network(name));
        if (rules != null) {
            for (Rule r : rules.rules()) {
                if (r instanceof Rule.BridgeForward b) {
                    bridge = b.bridge();
                    for (IpPrefix s : b.subnets()) {
                        if (s.family() == Family.INET) {
                            subnet = s;
                        } else {
                            subnet6 = s;
                        }
                    }
                } else if (r instanceof Rule.Masquerade mq) {
                    options.put("masquerade", "true");
                    if (mq.uplink() != null) {
                        options.put("uplink", mq.uplink().value());
                    }
                } else if (r instanceof Rule.Isolation) {
                    options.put("isolate", "true");
                }
            }
            sources.add("bridge, subnets and firewall options from the network's firewall rules");
        }
        List<Attachment> attachments = store.readableAttachments(name);
        Set<IfName> ports = new LinkedHashSet<>();
        for (Attachment a : attachments) {
            if (a.hostIf() != null) {
                ports.add(a.hostIf());
            }
            for (IpPrefix p : a.addresses()) {
                if (p.family() == Family.INET && subnet == null) {
                    subnet = p.network();
                    sources.add("subnet " + subnet + " from the addresses of its attachments");
                } else if (p.family() == Family.INET6 && subnet6 == null) {
                    subnet6 = p.network();
                    sources.add("IPv6 subnet " + subnet6 + " from the addresses of its attachments");
                }
            }
        }
        java.net.InetAddress gateway = null;
        java.net.InetAddress gateway6 = null;
        try (NetnsHandle host = m.stack().open(hostRef)) {
            List<Link> links = host.links().list();
            if (bridge == null) {
                for (Link l : links) {
                    if (l.masterIndex() != null && ports.contains(l.name())) {
                        for (Link b : links) {
                            if (b.index() == l.masterIndex() && "bridge".equals(b.kind())) {
                                bridge = b.name();
                            }
                        }
                    }
                }
                if (bridge == null) {
                    IfName guess = new IfName(("pb-" + name).length() > IfName.MAX_BYTES ? ("pb-" + name).substring(0, IfName.MAX_BYTES) : "pb-" + name);
                    if (links.stream().anyMatch(l -> l.name().equals(guess) && "bridge".equals(l.kind()))) {
                        bridge = guess;
                    }
                }
                if (bridge != null) {
                    sources.add("bridge \"" + bridge + "\" from the kernel");
                }
            }
            IfName br = bridge;
            Optional<Link> b = links.stream().filter(l -> l.name().equals(br)).findFirst();
            if (b.isPresent()) {
                for (AddressOps.Assigned a : host.addresses().listAll(null)) {
                    if (a.linkIndex() != b.get().index()) {
                        continue;
                    }
                    IpPrefix p = a.address();
                    if (p.family() == Family.INET && gateway == null && (subnet == null || subnet.contains(p.address()))) {
                        subnet = subnet == null ? p.network() : subnet;
                        gateway = p.address();
                    } else if (p.family() == Family.INET6 && gateway6 == null && subnet6 != null && subnet6.contains(p.address())) {
                        gateway6 = p.address();
                    }
                }
                if (gateway != null) {
                    sources.add("gateway from the addresses of \"" + bridge + "\" in the kernel");
                }
            }
        } catch (PatchbayException e) {
            sources.add("nothing from the kernel (" + e.getMessage() + ")");
        }
        if (bridge == null || subnet == null) {
            throw new PatchbayException("cannot rebuild network \"" + name + "\": " + (bridge == null
                    ? "no record and nothing in the kernel names its bridge" : "no record and nothing in the kernel names its subnet"));
        }
        if (gateway == null) {
            gateway = NetworkConfig.firstHost(subnet);
            sources.add("gateway " + dev.patchbay.core.model.IpAddresses.format(gateway) + ": the subnet's first address (the default)");
        }
        if (subnet6 != null && gateway6 == null) {
            gateway6 = NetworkConfig.firstHost(subnet6);
        }
        options.put("bridge", bridge.value());
        sources.add("driver bridge, chain firewall, portmap: the bridge driver's own (nothing else records them)");
        NetworkConfig config = new NetworkConfig(name, "bridge", List.of("firewall", "portmap"), subnet, gateway, subnet6, gateway6, options);
        m.chain(config).requireInstalled(); // its plugins are installed
        return new Result(config, sources);
    }

    /** For messages: the owner ids of a network in the firewall record. */
    static boolean owns(String network, RulesetOwner owner) {
        return owner.id().equals(Owners.network(network).id()) || Owners.isAttachmentOf(owner, network);
    }
}
