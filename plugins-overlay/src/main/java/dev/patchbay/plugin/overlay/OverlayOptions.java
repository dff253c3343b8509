package dev.patchbay.plugin.overlay;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.plugin.overlay.etcd.EtcdClient;
import java.math.BigInteger;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An overlay network's options, checked: the cluster's subnet (the network's), etcd's endpoints, the prefix length of each
 * node's subnet, the VXLAN id and UDP port, the lease's TTL, this node's name and underlay device (null: the default
 * route's), and the subnet this node leased (null until it has one). Pure.
 */
record OverlayOptions(String network, IpPrefix cluster, List<URI> etcd, int nodePrefix, int vni, int port, int leaseTtl,
                      String node, IfName underlay, IpPrefix nodeSubnet, dev.patchbay.plugin.overlay.etcd.EtcdTls tls) {
    static final String ETCD = "etcd";
    static final String NODE_PREFIX = "node-prefix";
    static final String VNI = "vni";
    static final String PORT = "port";
    static final String LEASE_TTL = "lease-ttl";
    static final String NODE = "node";
    static final String UNDERLAY = "underlay";
    static final String NODE_SUBNET = "node-subnet";
    static final String ETCD_CA = "etcd-ca";
    static final String ETCD_CERT = "etcd-cert";
    static final String ETCD_KEY = "etcd-key";
    /** What every node of a network must agree on: the network's definition in etcd. */
    static final List<String> DEFINITION = List.of("subnet", NODE_PREFIX, VNI, PORT);

    static Map<String, String> help() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put(ETCD, "etcd's client URLs, http://HOST:PORT[,...] (required): the store the nodes lease their subnets in");
        o.put(NODE_PREFIX, "the prefix length of each node's subnet of the network's (default 24)");
        o.put(VNI, "the VXLAN network identifier, 1..16777215 (default 1)");
        o.put(PORT, "the VXLAN UDP port (default 4789)");
        o.put(LEASE_TTL, "seconds a node's lease outlives its last renewal, 5..3600 (default 20)");
        o.put(NODE, "this node's name in the cluster (default: the host name)");
        o.put(UNDERLAY, "the device the VXLAN packets leave by (default: the default route's)");
        o.put(NODE_SUBNET, "this node's subnet (default: the first free one, leased in etcd)");
        o.put(ETCD_CA, "PEM file of the CA certificates etcd's https endpoints must chain to (default: the JDK's)");
        o.put(ETCD_CERT, "PEM file of this node's client certificate for etcd (with " + ETCD_KEY + ")");
        o.put(ETCD_KEY, "PEM file (PKCS#8) of that certificate's private key");
        return o;
    }

    static OverlayOptions of(NetworkConfig c) {
        String etcd = c.option(ETCD).orElseThrow(() -> new InvalidInputException("opt " + ETCD, null,
                "is required: etcd's client URLs, e.g. --opt etcd=http://10.0.0.1:2379"));
        int prefix = Optional.ofNullable(c.number(NODE_PREFIX, 1, 30)).orElse(24);
        if (prefix <= c.subnet().length()) {
            throw new InvalidInputException("opt " + NODE_PREFIX, prefix, "must be longer than the network's subnet " + c.subnet()
                    + " (each node leases a part of it)");
        }
        if (c.subnet6() != null) {
            throw new InvalidInputException("ipv6", c.subnet6(), "is not supported by the overlay driver yet");
        }
        IpPrefix mine = c.option(NODE_SUBNET).map(s -> IpPrefix.parseSubnet("opt " + NODE_SUBNET, s)).orElse(null);
        if (mine != null && (mine.length() != prefix || !c.subnet().contains(mine.address()))) {
            throw new InvalidInputException("opt " + NODE_SUBNET, mine, "must be a /" + prefix + " inside " + c.subnet());
        }
        String node = c.option(NODE).orElseGet(OverlayOptions::hostName);
        if (!node.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
            throw new InvalidInputException("opt " + NODE, node, "must be 1-63 letters, digits, '_', '.' or '-'");
        }
        IfName underlay = c.option(UNDERLAY).map(IfName::new).orElse(null);
        return new OverlayOptions(c.name(), c.subnet(), EtcdClient.endpoints(etcd), prefix,
                Optional.ofNullable(c.number(VNI, 1, 16777215)).orElse(1), Optional.ofNullable(c.number(PORT, 1, 65535)).orElse(4789),
                Optional.ofNullable(c.number(LEASE_TTL, 5, 3600)).orElse(20), node, underlay, mine, tls(c));
    }

    /** TLS to etcd from the options (null when none is given). */
    static dev.patchbay.plugin.overlay.etcd.EtcdTls tls(NetworkConfig c) {
        List<java.nio.file.Path> p = new java.util.ArrayList<>();
        for (String k : List.of(ETCD_CA, ETCD_CERT, ETCD_KEY)) {
            String v = c.option(k).orElse(null);
            if (v != null && !v.startsWith("/")) {
                throw new InvalidInputException("opt " + k, v, "must be an absolute path");
            }
            p.add(v == null ? null : java.nio.file.Path.of(v));
        }
        return p.stream().allMatch(java.util.Objects::isNull) ? null
                : new dev.patchbay.plugin.overlay.etcd.EtcdTls(p.get(0), p.get(1), p.get(2), ETCD_CA, ETCD_CERT, ETCD_KEY);
    }

    static String hostName() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    /** The definition every node must share, as recorded in etcd. */
    Map<String, String> definition() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("subnet", cluster.toString());
        d.put(NODE_PREFIX, Integer.toString(nodePrefix));
        d.put(VNI, Integer.toString(vni));
        d.put(PORT, Integer.toString(port));
        return d;
    }

    /** Refuses a definition that differs from the one in etcd, naming the first option that differs and both values. */
    void agreeWith(Map<String, String> stored) {
        Map<String, String> mine = definition();
        for (String k : DEFINITION) {
            String theirs = stored.get(k);
            if (theirs != null && !theirs.equals(mine.get(k))) {
                throw new InvalidInputException(k.equals("subnet") ? "subnet" : "opt " + k, mine.get(k), "differs from network \""
                        + network + "\" as the cluster defined it in etcd: " + k + " " + theirs + " there, " + mine.get(k) + " here");
            }
        }
    }

    /** This node's subnets in order: every /nodePrefix of the cluster's, first to last. */
    IpPrefix nth(long i) {
        BigInteger base = IpAddresses.toBigInteger(cluster.network().address());
        BigInteger step = BigInteger.ONE.shiftLeft(32 - nodePrefix);
        return IpPrefix.of(IpAddresses.fromBigInteger(base.add(step.multiply(BigInteger.valueOf(i))), cluster.family()), nodePrefix);
    }

    /** How many node subnets the cluster's has. */
    long count() {
        return 1L << Math.min(62, nodePrefix - cluster.length());
    }

    /** The addresses IPAM hands out on this node: its subnet but the first (the bridge's) and the last (broadcast). */
    static String ipamRange(IpPrefix subnet) {
        return IpAddresses.format(IpAddresses.add(subnet.network().address(), 2)) + "-" + IpAddresses.format(IpAddresses.add(subnet.last(), -1));
    }

    /** The bridge's address: the first of the node's subnet, with its length. */
    static IpPrefix gateway(IpPrefix subnet) {
        return IpPrefix.of(IpAddresses.add(subnet.network().address(), 1), subnet.length());
    }
}
